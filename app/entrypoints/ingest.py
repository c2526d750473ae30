"""Lambda entry point for `POST /ingest/{token}` (and `POST /ingest` with X-API-KEY).

Its own function so devices never share capacity (or a cold start) with people, and so
its role can write readings only. Unlike the other HTTP functions it runs without the
web framework: the API Gateway event (payload 2.0) is read here and handed to the use
case, and its answer (or its error, as problem+json) is the response. A reading is the
one request a sensor repeats every few minutes for weeks, and Mangum and Litestar
around it cost more CPU than the reading's own work (measured in `make bench`: ingest
vs a raw PutItem), besides their import at every cold start. What the route answers
is the same as the app's `app.api.ingest` (the local server and the OpenAPI document):
`tests/api/test_ingest_lambda.py` posts the same requests to both and compares.

The use case and its clients are built on the first invocation, once per cold start.
"""

from __future__ import annotations

import base64
import re
import time
import uuid
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs

import msgspec
import structlog

from app.config import get_settings
from app.domain.device_formats import MAX_PAYLOAD_BYTES
from app.domain.errors import (
    BatchClosed,
    DomainError,
    InvalidInput,
    NotFound,
    TooManyReadings,
)
from app.logs import configure_logging, get_logger
from app.services.clients import AwsClients
from app.usecases.ingest import UNKNOWN_TOKEN, Ingest, Ingested, ingest_use_case

log = get_logger("app.request")

PROBLEM_BASE = "https://kefir.app/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"
TEMP_UNITS = ("C", "F", "K")
MAX_API_KEY = 128
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# The statuses a domain error answers with here (the app's table, app.api.errors, for
# the errors ingest can raise).
_PROBLEMS: dict[type[DomainError], tuple[str, str, int]] = {
    NotFound: ("not-found", "Not found", 404),
    BatchClosed: ("batch-closed", "Batch is closed", 409),
    TooManyReadings: ("too-many-readings", "Too many readings", 429),
}


class _Answer(msgspec.Struct, kw_only=True, rename="camel"):
    """The body of a stored reading: app.api.schemas.ingest.IngestedOut, field by field."""

    format: str
    at: Any
    gravity: float | None
    temperature_c: float | None
    ph: float | None
    battery: float | None


class _FieldError(msgspec.Struct):
    field: str
    message: str


class _Problem(msgspec.Struct, omit_defaults=True):
    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[_FieldError] | None = None


_encoder = msgspec.json.Encoder()


class _Refused(Exception):
    """A request the route refuses before the use case sees it."""

    def __init__(self, problem: _Problem, headers: dict[str, str] | None = None) -> None:
        super().__init__(problem.detail)
        self.problem = problem
        self.headers = headers or {}


@lru_cache(maxsize=1)
def _ingest() -> Ingest:
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return ingest_use_case(settings, AwsClients(settings.aws_region, hot_path=True))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One summary log line per request, as the app's middleware writes, with the token
    in the path masked."""
    started = time.perf_counter()
    correlation_id = _correlation_id(event)
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(correlation_id=correlation_id)
    path = str(event.get("rawPath") or "")
    try:
        response = _respond(event, path)
    except Exception as exc:
        log.error("unhandled_error", exc_info=exc, error_type=type(exc).__name__)
        response = _problem(
            _Problem(
                type=PROBLEM_BASE + "internal",
                title="Internal server error",
                status=500,
                detail="Something went wrong on our side. The correlation id identifies it.",
                instance=path,
            )
        )
    response["headers"]["x-correlation-id"] = correlation_id
    log.info(
        "request",
        method=_method(event),
        path=re.sub(r"^(/ingest/)[^/]+", r"\1[token]", path),
        status=response["statusCode"],
        duration_ms=round((time.perf_counter() - started) * 1000, 2),
    )
    structlog.contextvars.clear_contextvars()
    return response


def _respond(event: dict[str, Any], path: str) -> dict[str, Any]:
    try:
        token, temp_unit, body, content_type = _request(event, path)
        done = _ingest().ingest(token, body, content_type, temp_unit)
    except _Refused as refused:
        return _problem(refused.problem, refused.headers)
    except DomainError as exc:
        return _problem(*_domain_problem(exc, path))
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": _encoder.encode(_answer(done)).decode(),
        "isBase64Encoded": False,
    }


def _request(event: dict[str, Any], path: str) -> tuple[str, str, bytes, str]:
    """The token, the Tilt form's temperature unit, the body and its content type."""
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    token = _token(path, headers)
    if _method(event) != "POST":
        raise _Refused(
            _http(405, "method-not-allowed", "Method not allowed", path), {"allow": "POST"}
        )
    temp_unit = _temp_unit(event, path)
    body = _body(event)
    if len(body) > MAX_PAYLOAD_BYTES:
        too_large = _http(413, "payload-too-large", "Request body too large", path)
        raise _Refused(msgspec.structs.replace(too_large, detail="Request Entity Too Large"))
    return token, temp_unit, body, headers.get("content-type", "application/json")


def _token(path: str, headers: dict[str, str]) -> str:
    if path.rstrip("/") == "/ingest":
        key = headers.get("x-api-key", "")
        if len(key) > MAX_API_KEY:
            raise _Refused(_invalid("X-API-KEY", "X-API-KEY is at most 128 characters.", path))
        if not key:
            raise NotFound(UNKNOWN_TOKEN)
        return key
    match = re.fullmatch(r"/ingest/([^/]+)", path)
    if match is None:
        raise _Refused(_http(404, "not-found", "Not found", path))
    return match.group(1)


def _temp_unit(event: dict[str, Any], path: str) -> str:
    values = parse_qs(str(event.get("rawQueryString") or "")).get("temp_unit")
    if not values:
        return "F"
    if values[-1] not in TEMP_UNITS:
        raise _Refused(_invalid("temp_unit", "temp_unit must be one of C, F, K.", path))
    return values[-1]


def _body(event: dict[str, Any]) -> bytes:
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(raw)
    return str(raw).encode()


def _method(event: dict[str, Any]) -> str:
    return str(event.get("requestContext", {}).get("http", {}).get("method", "")).upper()


def _correlation_id(event: dict[str, Any]) -> str:
    """The caller's id when it is safe to echo, else API Gateway's request id, else new."""
    headers = event.get("headers") or {}
    candidate = headers.get("x-correlation-id")
    if isinstance(candidate, str) and _SAFE_ID.match(candidate):
        return candidate
    request_id = event.get("requestContext", {}).get("requestId")
    if isinstance(request_id, str) and _SAFE_ID.match(request_id):
        return request_id
    return uuid.uuid4().hex


def _answer(done: Ingested) -> _Answer:
    reading = done.reading
    return _Answer(
        format=done.format,
        at=reading.at,
        gravity=reading.gravity,
        temperature_c=reading.temperature,
        ph=reading.ph,
        battery=reading.battery,
    )


def _domain_problem(exc: DomainError, path: str) -> tuple[_Problem, dict[str, str]]:
    if isinstance(exc, InvalidInput):
        return _invalid(exc.field, exc.detail, path), {}
    slug, title, status = _PROBLEMS[type(exc)]
    headers = {}
    if isinstance(exc, TooManyReadings):
        headers["Retry-After"] = str(exc.retry_after)
    problem = _Problem(
        type=PROBLEM_BASE + slug, title=title, status=status, detail=exc.detail, instance=path
    )
    return problem, headers


def _invalid(field: str, message: str, path: str) -> _Problem:
    return _Problem(
        type=PROBLEM_BASE + "validation",
        title="Invalid request",
        status=400,
        detail=message,
        instance=path,
        errors=[_FieldError(field=field, message=message)],
    )


def _http(status: int, slug: str, title: str, path: str) -> _Problem:
    return _Problem(type=PROBLEM_BASE + slug, title=title, status=status, instance=path)


def _problem(problem: _Problem, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "statusCode": problem.status,
        "headers": {"content-type": PROBLEM_MEDIA_TYPE, **(headers or {})},
        "body": _encoder.encode(problem).decode(),
        "isBase64Encoded": False,
    }
