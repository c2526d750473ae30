"""A user's profile: what the app knows of a person beyond their Cognito identity."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from app.domain.errors import InvalidInput

DEFAULT_TIME_ZONE = "UTC"


class NotificationPreferences(msgspec.Struct, kw_only=True, frozen=True, rename="camel"):
    reminders: bool = True
    quiet_start: str | None = None
    quiet_end: str | None = None


class Profile(msgspec.Struct, kw_only=True, frozen=True):
    sub: str
    email: str | None
    display_name: str | None
    time_zone: str
    notifications: NotificationPreferences
    created_at: datetime
    updated_at: datetime
    version: int


def new_profile(sub: str, email: str | None, now: datetime) -> Profile:
    return Profile(
        sub=sub,
        email=email,
        display_name=None,
        time_zone=DEFAULT_TIME_ZONE,
        notifications=NotificationPreferences(),
        created_at=now,
        updated_at=now,
        version=1,
    )


def _zone_names() -> tuple[str, ...]:
    """The IANA names of the pinned tzdata package ("Europe/Berlin", "UTC"), the same on
    every machine; abbreviations like "CET" are left out, since they hide DST rules."""
    listed = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return tuple(sorted(n for n in listed.split() if "/" in n or n == "UTC"))


# The one list the API accepts and its OpenAPI document enumerates.
TIME_ZONES = _zone_names()
_TIME_ZONE_SET = frozenset(TIME_ZONES)


def check_time_zone(name: str, field: str = "timeZone") -> str:
    if name not in _TIME_ZONE_SET:
        raise InvalidInput(field, f"{name!r} is not an IANA time zone name.")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(field, f"{name!r} is not an IANA time zone name.") from None
    return name


def check_quiet_hours(value: str | None, field: str) -> None:
    if value is None:
        return
    try:
        hours, minutes = value.split(":")
        if (
            len(hours) == 2
            and len(minutes) == 2
            and 0 <= int(hours) < 24
            and 0 <= int(minutes) < 60
        ):
            return
    except ValueError:
        pass
    raise InvalidInput(field, f"{field} must be a time of day as HH:MM.")
