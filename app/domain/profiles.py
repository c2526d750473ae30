"""A user's profile: what the app knows of a person beyond their Cognito identity."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from importlib import resources
from typing import TYPE_CHECKING

import msgspec

from app.domain.errors import InvalidInput

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

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
    # zoneinfo (and the sysconfig it loads) on use: few routes take a time zone.
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


def quiet_until(
    moment: datetime, prefs: NotificationPreferences, zone: ZoneInfo
) -> datetime | None:
    """When the quiet hours that `moment` falls in end (UTC); None outside them, or
    without quiet hours. Wall-clock times in the profile's zone: 22:00-07:00 ends at
    07:00 local whatever a DST change did overnight; an end time a DST change skips
    resolves forward (fold=0 takes the offset before the change). The start is inclusive,
    the end exclusive; equal start and end mean no quiet hours."""
    if prefs.quiet_start is None or prefs.quiet_end is None:
        return None
    start, end = _time_of_day(prefs.quiet_start), _time_of_day(prefs.quiet_end)
    if start == end:
        return None
    local = moment.astimezone(zone)
    now = local.time().replace(tzinfo=None)
    if start < end:
        inside, end_day = start <= now < end, local.date()
    else:  # across midnight: 22:00-07:00
        inside = now >= start or now < end
        end_day = local.date() + timedelta(days=1) if now >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end).replace(tzinfo=zone).astimezone(UTC)


def _time_of_day(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))
