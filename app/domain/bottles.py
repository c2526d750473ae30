"""Bottles from a batch: a first ferment split into second-ferment bottles, each a batch
of its own (its own label, its own public page) that knows where it came from."""

from __future__ import annotations

from datetime import datetime

import msgspec

from app.domain.batches import Batch, Event, new_batch, new_event

# One transaction holds the parent's check, its "bottle" event and every bottle.
MAX_BOTTLES = 24


def bottles_of(parent: Batch, *, name: str, count: int, now: datetime) -> list[Batch]:
    """`count` bottles named "<name> 1/n" …, of the parent's kind and culture."""
    base = name.strip() or f"{parent.name} bottle"
    return [
        msgspec.structs.replace(
            new_batch(
                name=f"{base} {i}/{count}" if count > 1 else base,
                kind=parent.kind,
                started_at=now,
                notes=None,
                temperature_c=None,
                now=now,
                culture_id=parent.culture_id,
            ),
            parent_batch_id=parent.id,
        )
        for i in range(1, count + 1)
    ]


def bottling_event(parent: Batch, bottles: list[Batch], now: datetime) -> Event:
    """The parent's log says it was bottled, and into how many."""
    plural = "bottle" if len(bottles) == 1 else "bottles"
    return new_event(
        batch_id=parent.id,
        type="bottle",
        occurred_at=now,
        note=f"Split into {len(bottles)} {plural}",
        ph=None,
        temperature_c=None,
        gravity=None,
        now=now,
    )
