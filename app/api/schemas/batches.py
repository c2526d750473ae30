"""Bodies of the batch and event routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from app.api.schemas.base import AwareDatetime, Body, NonBlankLine, Out, Text, Version
from app.domain.batches import Batch, BatchKind, BatchStatus, Event, EventType

Name = Annotated[NonBlankLine, Meta(min_length=1, max_length=120)]
Notes = Annotated[Text, Meta(max_length=2000)]
EventNote = Annotated[Text, Meta(max_length=1000)]
Temperature = Annotated[float, Meta(ge=-20, le=110, description="degrees Celsius")]
# Litestar drops a constraint whose value is 0 from the document; `extra` restores it.
Ph = Annotated[float, Meta(ge=0, le=14, extra_json_schema={"extra": {"minimum": 0}})]
Gravity = Annotated[float, Meta(ge=0.9, le=1.2, description="specific gravity")]
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
