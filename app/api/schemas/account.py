"""Bodies of the account routes (`/me`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import UNSET, Meta, UnsetType

from app.api.schemas.base import Body, Out
from app.domain.profiles import Profile

DisplayName = Annotated[str, Meta(min_length=1, max_length=80)]
TimeZoneName = Annotated[str, Meta(min_length=1, max_length=64, examples=["Europe/Berlin"])]


class NotificationsIn(Body):
    reminders: bool = True
    quiet_start: Annotated[str, Meta(pattern=r"^\d{2}:\d{2}$")] | None = None
    quiet_end: Annotated[str, Meta(pattern=r"^\d{2}:\d{2}$")] | None = None


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
