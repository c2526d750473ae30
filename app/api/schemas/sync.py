"""Bodies of the sync routes: changes grouped by record type, each as upserts (the
record with its `id`, `version` and `updatedAt`) and deletions (tombstones).

A record type joins sync with a field in `SyncChanges` (and its entity in
`app.store.sync.RECORDS`); `group()` is the one place records are sorted into them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from app.api.errors import Problem
from app.api.schemas.account import ProfileOut
from app.api.schemas.alerts import AlertRulesOut
from app.api.schemas.base import Body, Out, Version
from app.api.schemas.batches import BatchOut, EventOut
from app.api.schemas.cultures import CultureEventOut, CultureOut
from app.api.schemas.reminders import CultureReminderOut, ReminderOut
from app.api.schemas.sensors import SensorOut
from app.domain.batches import Batch, Event
from app.domain.cultures import Culture, CultureEvent
from app.domain.devices import Device, Platform, token_hash
from app.domain.photos import Photo, PhotoContentType
from app.domain.profiles import Profile
from app.domain.reminders import Reminder
from app.domain.sensors import Sensor
from app.domain.sync import AlertStatus, ReadingRecord, Record, Tombstone
from app.usecases.sync import ChangePage


class Deletion(Out):
    """`batchId` / `cultureId`: the record it was under (an event's batch or culture)."""

    id: str
    deleted_at: datetime
    batch_id: str | None = None
    culture_id: str | None = None


class SyncEventOut(EventOut):
    """Events never change: version 1, updated when stored."""

    version: int
    updated_at: datetime


class SyncPhotoOut(Out):
    """A photo's metadata; its download URL comes from `GET …/photos` when shown."""

    id: str
    batch_id: str
    content_type: PhotoContentType
    size: int
    width: int | None
    height: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class SyncDeviceOut(Out):
    """`id` is the SHA-256 of the push token (what a deletion names)."""

    id: str
    token: str
    platform: Platform
    created_at: datetime
    updated_at: datetime
    version: int


class SyncProfileOut(ProfileOut):
    id: str


class SyncReadingOut(Out):
    """A sensor's minute: the means of the readings that arrived in it (SG, °C, pH,
    battery %; a metric the sensor does not send is absent). More readings in the same
    minute make a new version of it (`version` = `count`). `id` is
    `<batchId>.<sensorId>.<minute>`."""

    id: str
    batch_id: str
    sensor_id: str
    at: datetime
    count: int
    updated_at: datetime
    version: int
    gravity: float | None = None
    temperature_c: float | None = None
    ph: float | None = None
    battery: float | None = None

    @classmethod
    def of(cls, reading: ReadingRecord) -> SyncReadingOut:
        values = reading.values
        return cls(
            id=reading.id,
            batch_id=reading.batch_id,
            sensor_id=reading.sensor_id,
            at=reading.at,
            count=reading.count,
            gravity=values.get("gravity"),
            temperature_c=values.get("temperature"),
            ph=values.get("ph"),
            battery=values.get("battery"),
            updated_at=reading.updated_at,
            version=reading.count,
        )


class SyncAlertsOut(Out):
    """A batch's alerts: the rules in force (`GET …/alerts/rules`) and the keys of the
    alerts firing now. `id` is the batch's id; every reading makes a new version."""

    id: str
    batch_id: str
    rules: AlertRulesOut
    firing: list[str]
    last_reading_at: datetime | None
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, status: AlertStatus) -> SyncAlertsOut:
        return cls(
            id=status.batch_id,
            batch_id=status.batch_id,
            rules=AlertRulesOut.of(status.rules),
            firing=status.firing,
            last_reading_at=status.last_reading_at,
            updated_at=status.updated_at,
            version=status.version,
        )


class SyncCultureEventOut(CultureEventOut):
    """Culture events never change: version 1, updated when stored."""

    version: int
    updated_at: datetime


class BatchChanges(Out):
    upserts: list[BatchOut] = msgspec.field(default_factory=list)
    deletions: list[Deletion] = msgspec.field(default_factory=list)


class EventChanges(Out):
    upserts: list[SyncEventOut] = msgspec.field(default_factory=list)
    deletions: list[Deletion] = msgspec.field(default_factory=list)


class ReminderChanges(Out):
    upserts: list[ReminderOut] = msgspec.field(default_factory=list)
    deletions: list[Deletion] = msgspec.field(default_factory=list)


class PhotoChanges(Out):
    upserts: list[SyncPhotoOut] = msgspec.field(default_factory=list)
    deletions: list[Deletion] = msgspec.field(default_factory=list)


class DeviceChanges(Out):
    upserts: list[SyncDeviceOut] = msgspec.field(default_factory=list)
    deletions: list[Deletion] = msgspec.field(default_factory=list)


class ProfileChanges(Out):
    upserts: list[SyncProfileOut] = msgspec.field(default_factory=list)
    deletions: list[Deletion] = msgspec.field(default_factory=list)


class SensorChanges(Out):
    upserts: list[SensorOut] = msgspec.field(default_factory=list)
    deletions: list[Deletion] = msgspec.field(default_factory=list)


class ReadingChanges(Out):
    upserts: list[SyncReadingOut] = msgspec.field(default_factory=list)
    deletions: list[Deletion] = msgspec.field(default_factory=list)


class AlertChanges(Out):
    upserts: list[SyncAlertsOut] = msgspec.field(default_factory=list)
    deletions: list[Deletion] = msgspec.field(default_factory=list)


class CultureChanges(Out):
    upserts: list[CultureOut] = msgspec.field(default_factory=list)
    deletions: list[Deletion] = msgspec.field(default_factory=list)


class CultureEventChanges(Out):
    upserts: list[SyncCultureEventOut] = msgspec.field(default_factory=list)
    deletions: list[Deletion] = msgspec.field(default_factory=list)


class CultureReminderChanges(Out):
    upserts: list[CultureReminderOut] = msgspec.field(default_factory=list)
    deletions: list[Deletion] = msgspec.field(default_factory=list)


class SyncChanges(Out):
    batches: BatchChanges = msgspec.field(default_factory=BatchChanges)
    events: EventChanges = msgspec.field(default_factory=EventChanges)
    reminders: ReminderChanges = msgspec.field(default_factory=ReminderChanges)
    photos: PhotoChanges = msgspec.field(default_factory=PhotoChanges)
    devices: DeviceChanges = msgspec.field(default_factory=DeviceChanges)
    profile: ProfileChanges = msgspec.field(default_factory=ProfileChanges)
    sensors: SensorChanges = msgspec.field(default_factory=SensorChanges)
    readings: ReadingChanges = msgspec.field(default_factory=ReadingChanges)
    alerts: AlertChanges = msgspec.field(default_factory=AlertChanges)
    cultures: CultureChanges = msgspec.field(default_factory=CultureChanges)
    culture_events: CultureEventChanges = msgspec.field(default_factory=CultureEventChanges)
    culture_reminders: CultureReminderChanges = msgspec.field(
        default_factory=CultureReminderChanges
    )


class SyncPage(Out):
    """`nextCursor` is always set: store it and pull from it next time. `hasMore`: pull
    again now. A page may repeat records the previous one had (see README, Sync)."""

    changes: SyncChanges
    next_cursor: str
    has_more: bool

    @classmethod
    def of(cls, page: ChangePage) -> SyncPage:
        return cls(
            changes=group(page.records), next_cursor=page.next_cursor, has_more=page.has_more
        )


_DELETION_GROUPS = {
    "batch": "batches",
    "event": "events",
    "reminder": "reminders",
    "photo": "photos",
    "device": "devices",
    "profile": "profile",
    "sensor": "sensors",
    "reading": "readings",
    "alert-state": "alerts",
    "culture": "cultures",
    "culture_event": "culture_events",
}


def group(records: list[Record]) -> SyncChanges:
    changes = SyncChanges()
    for record in records:
        if isinstance(record, Tombstone):
            name = _DELETION_GROUPS.get(record.entity)
            if record.entity == "reminder" and record.culture_id is not None:
                name = "culture_reminders"
            if name is not None:
                deletion = Deletion(
                    id=record.id,
                    deleted_at=record.deleted_at,
                    batch_id=record.batch_id,
                    culture_id=record.culture_id,
                )
                getattr(changes, name).deletions.append(deletion)
        elif isinstance(record, Batch):
            changes.batches.upserts.append(BatchOut.of(record))
        elif isinstance(record, Event):
            changes.events.upserts.append(event_out(record))
        elif isinstance(record, Reminder) and record.culture_id is not None:
            changes.culture_reminders.upserts.append(CultureReminderOut.of(record))
        elif isinstance(record, Reminder):
            changes.reminders.upserts.append(ReminderOut.of(record))
        elif isinstance(record, Photo):
            changes.photos.upserts.append(
                SyncPhotoOut(
                    **msgspec.structs.asdict(record), updated_at=record.created_at, version=1
                )
            )
        elif isinstance(record, Device):
            changes.devices.upserts.append(
                SyncDeviceOut(
                    id=token_hash(record.token), version=1, **msgspec.structs.asdict(record)
                )
            )
        elif isinstance(record, Sensor):
            changes.sensors.upserts.append(SensorOut.of(record))
        elif isinstance(record, ReadingRecord):
            changes.readings.upserts.append(SyncReadingOut.of(record))
        elif isinstance(record, AlertStatus):
            changes.alerts.upserts.append(SyncAlertsOut.of(record))
        elif isinstance(record, Culture):
            changes.cultures.upserts.append(CultureOut.of(record))
        elif isinstance(record, CultureEvent):
            changes.culture_events.upserts.append(culture_event_out(record))
        else:
            changes.profile.upserts.append(_profile(record))
    return changes


def _profile(profile: Profile) -> SyncProfileOut:
    out = ProfileOut.of(profile)
    return SyncProfileOut(id=profile.sub, **msgspec.structs.asdict(out))


MutationId = Annotated[str, Meta(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]


class MutationIn(Body):
    """One write a device made offline. `id` is the record's (client-generated ULID for
    creates); `baseVersion` the version the device edited (updates); `fields` what a
    create or PATCH body holds (`batchId` too for events)."""

    mutation_id: MutationId
    entity: Annotated[str, Meta(min_length=1, max_length=32)]
    id: Annotated[str, Meta(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
    op: Literal["create", "update", "delete"]
    base_version: Version | None = None
    fields: dict[str, Any] = msgspec.field(default_factory=dict)


class PushIn(Body):
    client_id: Annotated[str, Meta(min_length=1, max_length=128)]
    mutations: Annotated[list[MutationIn], Meta(min_length=1, max_length=100)]


class MutationResult(Out):
    """`applied`: `batch`/`event`/`culture`/`cultureEvent` is the record as stored
    (absent once deleted); `conflict`: `batch`/`culture` is the server's copy (absent if
    deleted there); `rejected`: `problem` says why (the same problem+json the REST route
    would answer)."""

    mutation_id: str
    status: Literal["applied", "conflict", "rejected"]
    batch: BatchOut | None = None
    event: SyncEventOut | None = None
    culture: CultureOut | None = None
    culture_event: SyncCultureEventOut | None = None
    problem: Problem | None = None


class PushOut(Out):
    results: list[MutationResult]


def event_out(event: Event) -> SyncEventOut:
    return SyncEventOut(**msgspec.structs.asdict(event), version=1, updated_at=event.created_at)


def culture_event_out(event: CultureEvent) -> SyncCultureEventOut:
    return SyncCultureEventOut(
        **msgspec.structs.asdict(event), version=1, updated_at=event.created_at
    )
