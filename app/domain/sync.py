"""What sync hands a device: records as they are now, and tombstones of deleted ones."""

from __future__ import annotations

from datetime import datetime

import msgspec

from app.domain.alerts import AlertRules
from app.domain.batches import Batch, Event
from app.domain.cultures import Culture, CultureEvent
from app.domain.devices import Device
from app.domain.photos import Photo
from app.domain.profiles import Profile
from app.domain.reminders import Reminder
from app.domain.sensors import Sensor


class Tombstone(msgspec.Struct, frozen=True, kw_only=True):
    """A record that was deleted: what it was (`entity`, `id`), and when."""

    entity: str
    id: str
    deleted_at: datetime
    batch_id: str | None = None
    culture_id: str | None = None


class ReadingRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A sensor's minute of readings as sync and the export hand it over: the means of
    what arrived in that minute, `count` readings merged into it (its version: each
    merge is a new version of the same record), `updated_at` when the last arrived."""

    id: str
    batch_id: str
    sensor_id: str
    at: datetime
    count: int
    values: dict[str, float]
    updated_at: datetime


class AlertStatus(msgspec.Struct, frozen=True, kw_only=True):
    """A batch's alerts as its owner's devices see them: the rules in force and the
    alerts firing now (their keys), changed by the owner or by a reading."""

    batch_id: str
    rules: AlertRules
    firing: list[str]
    last_reading_at: datetime | None
    updated_at: datetime
    version: int


# Every record type sync carries; a new synced type joins this union.
Record = (
    Batch
    | Event
    | Reminder
    | Photo
    | Device
    | Profile
    | Sensor
    | ReadingRecord
    | AlertStatus
    | Culture
    | CultureEvent
    | Tombstone
)
