"""What sync hands a device: records as they are now, and tombstones of deleted ones."""

from __future__ import annotations

from datetime import datetime

import msgspec

from app.domain.batches import Batch, Event
from app.domain.cultures import Culture, CultureEvent
from app.domain.devices import Device
from app.domain.photos import Photo
from app.domain.profiles import Profile
from app.domain.reminders import Reminder


class Tombstone(msgspec.Struct, frozen=True, kw_only=True):
    """A record that was deleted: what it was (`entity`, `id`), and when."""

    entity: str
    id: str
    deleted_at: datetime
    batch_id: str | None = None
    culture_id: str | None = None


# Every record type sync carries; a new synced type joins this union.
Record = Batch | Event | Reminder | Photo | Device | Profile | Culture | CultureEvent | Tombstone
