"""Settings read from the environment once, at cold start.

A bad or missing value fails start-up with the variable's name, so a misconfigured
function never serves a request.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Literal

import msgspec

AppEnv = Literal["local", "test", "dev", "prod"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*$")


class SettingsError(RuntimeError):
    """Raised at start-up when an environment variable is missing or invalid."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    table_name: str
    cognito_issuer: str
    cognito_client_id: str
    cognito_jwks_url: str
    aws_region: str = "us-east-1"
    app_env: AppEnv = "dev"
    log_level: LogLevel = "INFO"
    log_json: bool = True
    max_body_bytes: int = 64 * 1024
    jwks_cache_seconds: int = 3600
    # Reminders: the schedule group, what schedules invoke (and as whom, and where failed
    # events go), and where pushes go (`log`: only logged). Unset: reminder routes answer 503.
    reminders_schedule_group: str | None = None
    reminders_function_arn: str | None = None
    scheduler_role_arn: str | None = None
    reminders_dlq_arn: str | None = None
    expo_push_url: str = "https://exp.host/--/api/v2/push/send"
    expo_access_token: str | None = None
    jwt_leeway_seconds: int = 30
    # Photos, public pages and exports (one bucket; prefixes users/, pending/, exports/).
    photos_bucket: str | None = None
    public_base_url: str | None = None
    app_scheme: str = "kefir"
    apple_app_id: str | None = None
    android_package: str | None = None
    android_cert_fingerprints: tuple[str, ...] = ()
    photo_url_seconds: int = 900
    export_inline_max_bytes: int = 5 * 1024 * 1024
    # Sync: how old a cursor may be (at most 30 days: tombstones live 31), and how far
    # before its cursor a pull starts again (the change index is eventually consistent).
    sync_horizon_seconds: int = 30 * 24 * 3600
    sync_overlap_seconds: int = 5


_ENV_NAMES: dict[str, tuple[str, ...]] = {
    "table_name": ("TABLE_NAME",),
    "cognito_issuer": ("COGNITO_ISSUER",),
    "cognito_client_id": ("COGNITO_CLIENT_ID",),
    "cognito_jwks_url": ("COGNITO_JWKS_URL",),
    "aws_region": ("AWS_REGION", "AWS_DEFAULT_REGION"),
    "app_env": ("APP_ENV",),
    "log_level": ("LOG_LEVEL",),
    "log_json": ("LOG_JSON",),
    "max_body_bytes": ("MAX_BODY_BYTES",),
    "jwks_cache_seconds": ("JWKS_CACHE_SECONDS",),
    "reminders_schedule_group": ("REMINDERS_SCHEDULE_GROUP",),
    "reminders_function_arn": ("REMINDERS_FUNCTION_ARN",),
    "scheduler_role_arn": ("SCHEDULER_ROLE_ARN",),
    "reminders_dlq_arn": ("REMINDERS_DLQ_ARN",),
    "expo_push_url": ("EXPO_PUSH_URL",),
    "expo_access_token": ("EXPO_ACCESS_TOKEN",),
    "jwt_leeway_seconds": ("JWT_LEEWAY_SECONDS",),
    "photos_bucket": ("PHOTOS_BUCKET",),
    "public_base_url": ("PUBLIC_BASE_URL",),
    "app_scheme": ("APP_SCHEME",),
    "apple_app_id": ("APPLE_APP_ID",),
    "android_package": ("ANDROID_PACKAGE",),
    "android_cert_fingerprints": ("ANDROID_CERT_FINGERPRINTS",),
    "photo_url_seconds": ("PHOTO_URL_SECONDS",),
    "export_inline_max_bytes": ("EXPORT_INLINE_MAX_BYTES",),
    "sync_horizon_seconds": ("SYNC_HORIZON_SECONDS",),
    "sync_overlap_seconds": ("SYNC_OVERLAP_SECONDS",),
}

_INT_FIELDS = {
    "max_body_bytes",
    "jwks_cache_seconds",
    "jwt_leeway_seconds",
    "photo_url_seconds",
    "export_inline_max_bytes",
    "sync_horizon_seconds",
    "sync_overlap_seconds",
}
_LIST_FIELDS = {"android_cert_fingerprints"}
_BOOL_FIELDS = {"log_json"}


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from environment variables, naming the variable on any error."""
    env = os.environ if environ is None else environ
    raw: dict[str, object] = {}
    for field, names in _ENV_NAMES.items():
        name = next((n for n in names if env.get(n)), None)
        if name is None:
            continue
        value = env[name]
        if field in {"cognito_jwks_url", "cognito_issuer", "public_base_url"}:
            value = value.rstrip("/")
        try:
            raw[field] = _coerce(field, value)
        except ValueError as exc:
            raise SettingsError(f"{name}: {exc}") from None
    if "cognito_jwks_url" not in raw and "cognito_issuer" in raw:
        raw["cognito_jwks_url"] = f"{raw['cognito_issuer']}/.well-known/jwks.json"
    try:
        settings = msgspec.convert(raw, Settings)
    except msgspec.ValidationError as exc:
        raise SettingsError(_name_variable(str(exc))) from None
    _check_ranges(settings)
    _check_reminders(settings)
    return settings


def _coerce(field: str, value: str) -> object:
    if field in _INT_FIELDS:
        return int(value)
    if field in _LIST_FIELDS:
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if field in _BOOL_FIELDS:
        lowered = value.strip().lower()
        if lowered not in {"1", "0", "true", "false", "yes", "no"}:
            raise ValueError(f"expected true or false, got {value!r}")
        return lowered in {"1", "true", "yes"}
    return value


def _name_variable(message: str) -> str:
    """Turn msgspec's `$.field` paths into the environment variable's name."""
    for field, names in _ENV_NAMES.items():
        message = message.replace(f"`$.{field}`", names[0]).replace(f"`{field}`", names[0])
    return message


def _check_ranges(settings: Settings) -> None:
    if not 1024 <= settings.max_body_bytes <= 6 * 1024 * 1024:
        raise SettingsError("MAX_BODY_BYTES: must be between 1024 and 6291456")
    if not 0 <= settings.jwt_leeway_seconds <= 300:
        raise SettingsError("JWT_LEEWAY_SECONDS: must be between 0 and 300")
    # The verifier caches the pool's keys for this long; 0 would make every token fail
    # (PyJWKClient refuses a zero lifespan), so it is refused here, at start-up.
    if settings.jwks_cache_seconds < 1:
        raise SettingsError("JWKS_CACHE_SECONDS: must be at least 1 (seconds to cache the JWKS)")
    if not 1 <= settings.photo_url_seconds <= 7 * 24 * 3600:
        raise SettingsError("PHOTO_URL_SECONDS: must be between 1 and 604800")
    # Lambda caps a response near 6 MB; beyond this an export goes to S3 instead.
    if not 1024 <= settings.export_inline_max_bytes <= 5 * 1024 * 1024:
        raise SettingsError("EXPORT_INLINE_MAX_BYTES: must be between 1024 and 5242880")
    if not 1 <= settings.sync_horizon_seconds <= 30 * 24 * 3600:
        raise SettingsError("SYNC_HORIZON_SECONDS: must be between 1 and 2592000 (30 days)")
    if not 0 <= settings.sync_overlap_seconds <= 300:
        raise SettingsError("SYNC_OVERLAP_SECONDS: must be between 0 and 300")
    if not _SCHEME.match(settings.app_scheme):
        raise SettingsError(f"APP_SCHEME: not a URL scheme: {settings.app_scheme!r}")
    for name, url in (
        ("COGNITO_ISSUER", settings.cognito_issuer),
        ("COGNITO_JWKS_URL", settings.cognito_jwks_url),
        ("PUBLIC_BASE_URL", settings.public_base_url or "https://unset"),
    ):
        if not url.startswith(("https://", "http://")):
            raise SettingsError(f"{name}: must be an http(s) URL, got {url!r}")


_REMINDER_ARNS = (
    ("REMINDERS_FUNCTION_ARN", "reminders_function_arn", "arn:aws:lambda:"),
    ("SCHEDULER_ROLE_ARN", "scheduler_role_arn", "arn:aws:iam:"),
    ("REMINDERS_DLQ_ARN", "reminders_dlq_arn", "arn:aws:sqs:"),
)


def _check_reminders(settings: Settings) -> None:
    """Scheduling needs all four reminder settings or none (reminders off)."""
    given = [getattr(settings, field) for _, field, _ in _REMINDER_ARNS]
    if settings.reminders_schedule_group is not None or any(given):
        for name, field, prefix in _REMINDER_ARNS:
            value = getattr(settings, field)
            if not value or not value.startswith(prefix):
                raise SettingsError(f"{name}: must be an ARN starting {prefix!r}, got {value!r}")
        if not settings.reminders_schedule_group:
            raise SettingsError(
                "REMINDERS_SCHEDULE_GROUP: required with the other reminder settings"
            )
    url = settings.expo_push_url
    if url != "log" and not url.startswith(("https://", "http://")):
        raise SettingsError(f"EXPO_PUSH_URL: must be an http(s) URL or `log`, got {url!r}")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
