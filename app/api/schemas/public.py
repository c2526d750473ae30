"""Bodies of the public routes: what anyone with the link sees."""

from __future__ import annotations

from datetime import datetime

from app.api.schemas.base import Out
from app.domain.batches import BatchKind, BatchStatus, Event, EventType


class PublicEventOut(Out):
    """An event as the public sees it: what was done and measured, never its note (notes,
    the batch's and the events', are the owner's own words and stay private)."""

    type: EventType
    occurred_at: datetime
    ph: float | None
    temperature_c: float | None
    gravity: float | None

    @classmethod
    def of(cls, event: Event) -> PublicEventOut:
        return cls(
            type=event.type,
            occurred_at=event.occurred_at,
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
