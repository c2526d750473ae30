"""Request and response bodies: camelCase on the wire, validated by msgspec at the edge."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from app.domain.batches import Batch, BatchKind, BatchStatus, Event, EventType
from app.domain.photos import Photo, PhotoContentType
from app.domain.profiles import Profile

Name = Annotated[str, Meta(min_length=1, max_length=120)]
Notes = Annotated[str, Meta(max_length=2000)]
EventNote = Annotated[str, Meta(max_length=1000)]
Temperature = Annotated[float, Meta(ge=-20, le=110, description="degrees Celsius")]
Ph = Annotated[float, Meta(ge=0, le=14)]
Gravity = Annotated[float, Meta(ge=0.9, le=1.2, description="specific gravity")]
Version = Annotated[int, Meta(ge=1)]
AwareDatetime = Annotated[datetime, Meta(tz=True, description="RFC 3339 with a UTC offset")]


class Body(msgspec.Struct, kw_only=True, rename="camel", forbid_unknown_fields=True):
    """Unknown fields are refused so a typo is reported instead of silently ignored."""


class Out(msgspec.Struct, kw_only=True, rename="camel"):
    pass


CultureId = Annotated[
    str, Meta(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$", description="one of the caller's cultures")
]


class CreateBatch(Body):
    name: Name
    kind: BatchKind
    started_at: AwareDatetime | None = None
    notes: Notes | None = None
    temperature_c: Temperature | None = None
    culture_id: CultureId | None = None


class UpdateBatch(Body):
    """Omitted fields stay as they are; `null` clears an optional field."""

    version: Version
    name: Name | UnsetType = UNSET
    status: BatchStatus | UnsetType = UNSET
    started_at: AwareDatetime | UnsetType = UNSET
    notes: Notes | UnsetType | None = UNSET
    temperature_c: Temperature | UnsetType | None = UNSET
    public: bool | UnsetType = UNSET
    culture_id: CultureId | UnsetType | None = UNSET


class CreateEvent(Body):
    type: EventType
    occurred_at: AwareDatetime | None = None
    note: EventNote | None = None
    ph: Ph | None = None
    temperature_c: Temperature | None = None
    gravity: Gravity | None = None


class BatchOut(Out):
    id: str
    name: str
    kind: BatchKind
    status: BatchStatus
    started_at: datetime
    notes: str | None
    temperature_c: float | None
    created_at: datetime
    updated_at: datetime
    version: int
    public: bool
    culture_id: str | None
    parent_batch_id: str | None

    @classmethod
    def of(cls, batch: Batch) -> BatchOut:
        return cls(**msgspec.structs.asdict(batch))


class EventOut(Out):
    id: str
    batch_id: str
    type: EventType
    occurred_at: datetime
    note: str | None
    ph: float | None
    temperature_c: float | None
    gravity: float | None
    created_at: datetime

    @classmethod
    def of(cls, event: Event) -> EventOut:
        return cls(**msgspec.structs.asdict(event))


class BatchDetailOut(BatchOut):
    events: list[EventOut]
    next_events_cursor: str | None


class BatchPage(Out):
    items: list[BatchOut]
    next_cursor: str | None


class EventPage(Out):
    items: list[EventOut]
    next_cursor: str | None


class Health(Out):
    status: str


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


PhotoId = Annotated[str, Meta(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$", description="from the upload")]


class RequestPhotoUpload(Body):
    content_type: PhotoContentType


class ConfirmPhoto(Body):
    photo_id: PhotoId


class PhotoUploadOut(Out):
    """POST `fields` and the file (as the form field `file`, last) to `url`."""

    photo_id: str
    url: str
    fields: dict[str, str]
    expires_at: datetime
    max_bytes: int


class PhotoOut(Out):
    id: str
    batch_id: str
    content_type: PhotoContentType
    size: int
    width: int | None
    height: int | None
    created_at: datetime
    url: str
    url_expires_at: datetime

    @classmethod
    def of(cls, photo: Photo, *, url: str, url_expires_at: datetime) -> PhotoOut:
        return cls(**msgspec.structs.asdict(photo), url=url, url_expires_at=url_expires_at)


class PhotoPage(Out):
    items: list[PhotoOut]
    next_cursor: str | None


class PublicEventOut(Out):
    type: EventType
    occurred_at: datetime
    note: str | None
    ph: float | None
    temperature_c: float | None
    gravity: float | None

    @classmethod
    def of(cls, event: Event) -> PublicEventOut:
        return cls(
            type=event.type,
            occurred_at=event.occurred_at,
            note=event.note,
            ph=event.ph,
            temperature_c=event.temperature_c,
            gravity=event.gravity,
        )


class PublicBatchOut(Out):
    """What anyone with the link sees: the batch, never its owner."""

    id: str
    name: str
    kind: BatchKind
    status: BatchStatus
    started_at: datetime
    age_days: int
    recent_events: list[PublicEventOut]
    cover_photo_url: str | None
    page_url: str
    app_url: str
    # A bottle's first ferment and the culture that made the batch, while they are shared.
    parent_page_url: str | None = None
    culture_page_url: str | None = None
