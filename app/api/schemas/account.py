"""Bodies of the account routes (`/me`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import UNSET, Meta, UnsetType

from app.api.schemas.base import Body, Line, NonBlankLine, Out
from app.domain.profiles import TIME_ZONES, Profile

DisplayName = Annotated[NonBlankLine, Meta(min_length=1, max_length=80)]
# `(?![\s\S])`, not `$`: `$` would let "07:00\n" through (see LINE_PATTERN).
ClockTime = Annotated[
    str, Meta(pattern=r"^(?:[01][0-9]|2[0-3]):[0-5][0-9](?![\s\S])", examples=["22:00"])
]
TimeZoneName = Annotated[
    Line,
    Meta(
        min_length=1,
        max_length=64,
        examples=["Europe/Berlin"],
        extra_json_schema={"extra": {"enum": list(TIME_ZONES)}},
    ),
]


class NotificationsIn(Body):
    reminders: bool = True
    quiet_start: ClockTime | None = None
    quiet_end: ClockTime | None = None


class UpdateProfile(Body):
    """Omitted fields stay as they are; `displayName: null` clears the name."""

    display_name: DisplayName | UnsetType | None = UNSET
    time_zone: TimeZoneName | UnsetType = UNSET
    notifications: NotificationsIn | UnsetType = UNSET


class NotificationsOut(Out):
    reminders: bool
    quiet_start: str | None
    quiet_end: str | None


class ProfileOut(Out):
    email: str | None
    display_name: str | None
    time_zone: str
    notifications: NotificationsOut
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, profile: Profile) -> ProfileOut:
        prefs = profile.notifications
        return cls(
            email=profile.email,
            display_name=profile.display_name,
            time_zone=profile.time_zone,
            notifications=NotificationsOut(
                reminders=prefs.reminders, quiet_start=prefs.quiet_start, quiet_end=prefs.quiet_end
            ),
            created_at=profile.created_at,
            updated_at=profile.updated_at,
            version=profile.version,
        )
