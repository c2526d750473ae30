"""Splitting a first ferment into bottles: one read of the parent, one transaction."""

from __future__ import annotations

from datetime import datetime

from app.domain.batches import Batch
from app.domain.bottles import bottles_of, bottling_event
from app.domain.ids import known_id
from app.store.batches import BatchStore
from app.store.bottles import BottleStore


class Bottles:
    def __init__(self, batches: BatchStore, bottles: BottleStore) -> None:
        self.batches = batches
        self.bottles = bottles

    def split(self, sub: str, batch_id: str, name: str, count: int, now: datetime) -> list[Batch]:
        parent = self.batches.get_batch_with_events(sub, known_id(batch_id, "batch"), 0).batch
        made = bottles_of(parent, name=name, count=count, now=now)
        self.bottles.add_bottles(sub, parent.id, bottling_event(parent, made, now), made)
        return made
