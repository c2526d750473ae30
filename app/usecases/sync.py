"""Offline sync: what changed since a device last pulled (the change feed), and the
writes a device queued while offline (push).

Push applies each mutation at most once: its `mutationId` becomes an idempotency
record written in the same transaction as the write (or, for deletes, which are
idempotent anyway, right after), so a resent mutation answers `applied` again without
a second write. Updates are conditional on the version the device edited; a newer
server copy answers `conflict` with that copy. Events are append-only: they never
conflict (a closed or deleted batch rejects them). Cultures and their events follow
the same rules as batches and theirs.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime, timedelta
from typing import Literal

import msgspec

from app.domain.batches import Batch, Event
from app.domain.cultures import Culture, CultureEvent
from app.domain.errors import AlreadyExists, DomainError, NotFound, StaleVersion
from app.domain.idempotency import Idempotency
from app.store.batches import BatchChanges
from app.store.sync import ChangePage, SyncStore
from app.usecases.batches import Batches
from app.usecases.cultures import CultureEdit, Cultures

__all__ = [
    "ChangePage",
    "CreateBatch",
    "CreateCulture",
    "CreateCultureEvent",
    "CreateEvent",
    "DeleteBatch",
    "DeleteCulture",
    "DeleteCultureEvent",
    "DeleteEvent",
    "Mutation",
    "Outcome",
    "Sync",
    "UpdateBatch",
    "UpdateCulture",
]


class CreateBatch(msgspec.Struct, frozen=True):
    once: Idempotency
    batch: Batch


class UpdateBatch(msgspec.Struct, frozen=True):
    once: Idempotency
    batch_id: str
    base_version: int
    changes: BatchChanges


class DeleteBatch(msgspec.Struct, frozen=True):
    once: Idempotency
    batch_id: str


class CreateEvent(msgspec.Struct, frozen=True):
    once: Idempotency
    event: Event


class DeleteEvent(msgspec.Struct, frozen=True):
    once: Idempotency
    batch_id: str
    event_id: str


class CreateCulture(msgspec.Struct, frozen=True):
    once: Idempotency
    culture: Culture


class UpdateCulture(msgspec.Struct, frozen=True):
    once: Idempotency
    culture_id: str
    base_version: int
    edit: CultureEdit


class DeleteCulture(msgspec.Struct, frozen=True):
    once: Idempotency
    culture_id: str


class CreateCultureEvent(msgspec.Struct, frozen=True):
    once: Idempotency
    event: CultureEvent


class DeleteCultureEvent(msgspec.Struct, frozen=True):
    once: Idempotency
    culture_id: str
    event_id: str


Mutation = (
    CreateBatch
    | UpdateBatch
    | DeleteBatch
    | CreateEvent
    | DeleteEvent
    | CreateCulture
    | UpdateCulture
    | DeleteCulture
    | CreateCultureEvent
    | DeleteCultureEvent
)
Written = Batch | Event | Culture | CultureEvent


class Outcome(msgspec.Struct, frozen=True):
    """`applied` (with the record as stored, None once deleted), `conflict` (with the
    server's copy, None if it is gone) or `rejected` (with why)."""

    status: Literal["applied", "conflict", "rejected"]
    record: Written | None = None
    error: DomainError | None = None


class Sync:
    def __init__(
        self,
        store: SyncStore,
        batches: Batches,
        cultures: Cultures,
        *,
        horizon_seconds: int,
        overlap_seconds: int,
    ) -> None:
        self.store = store
        self.batches = batches
        self.cultures = cultures
        self.horizon = timedelta(seconds=horizon_seconds)
        self.overlap = timedelta(seconds=overlap_seconds)

    def pull(self, sub: str, *, cursor: str | None, limit: int, now: datetime) -> ChangePage:
        """One page of changes after `cursor`; without one, the whole current state."""
        return self.store.changes(
            sub, cursor=cursor, limit=limit, now=now, horizon=self.horizon, overlap=self.overlap
        )

    def push(self, sub: str, mutations: list[Mutation], now: datetime) -> list[Outcome]:
        """Each mutation in order, each on its own: one failing does not stop the rest."""
        return [self._apply(sub, mutation, now) for mutation in mutations]

    def _apply(self, sub: str, mutation: Mutation, now: datetime) -> Outcome:
        try:
            return Outcome("applied", self._write(sub, mutation, now))
        except (StaleVersion, AlreadyExists):
            return Outcome("conflict", self._server_copy(sub, mutation))
        except DomainError as error:
            return Outcome("rejected", error=error)

    def _write(self, sub: str, mutation: Mutation, now: datetime) -> Written | None:
        store = self.batches.store
        match mutation:
            case CreateBatch(once, batch):
                return store.create_batch(sub, batch, once)
            case UpdateBatch(once, batch_id, base_version, changes):
                return self.batches.update(sub, batch_id, base_version, changes, now, once)
            case CreateEvent(once, event):
                return self.batches.add_event(sub, event, once)
            # Deletes need no record of their own: deleting again, or what another device
            # deleted, reaches the same end state.
            case DeleteBatch(_, batch_id):
                with suppress(NotFound):
                    self.batches.delete(sub, batch_id, now)
            case DeleteEvent(_, batch_id, event_id):
                with suppress(NotFound):
                    self.batches.delete_event(sub, batch_id, event_id, now)
            case CreateCulture(once, culture):
                return self.cultures.store.create(sub, culture, once)
            case UpdateCulture(once, culture_id, base_version, edit):
                return self.cultures.update(sub, culture_id, base_version, edit, now, once)
            case CreateCultureEvent(once, culture_event):
                return self.cultures.log(sub, culture_event, once)
            case DeleteCulture(_, culture_id):
                with suppress(NotFound):
                    self.cultures.delete(sub, culture_id, now)
            case DeleteCultureEvent(_, culture_id, event_id):
                with suppress(NotFound):
                    self.cultures.delete_event(sub, culture_id, event_id, now)
        return None

    def _server_copy(self, sub: str, mutation: Mutation) -> Batch | Culture | None:
        culture_id = mutation.culture.id if isinstance(mutation, CreateCulture) else None
        if isinstance(mutation, UpdateCulture):
            culture_id = mutation.culture_id
        if culture_id is not None:
            try:
                return self.cultures.store.get(sub, culture_id).culture
            except NotFound:
                return None
        batch_id = mutation.batch.id if isinstance(mutation, CreateBatch) else None
        if isinstance(mutation, UpdateBatch):
            batch_id = mutation.batch_id
        if batch_id is None:
            return None
        try:
            return self.batches.store.get_batch(sub, batch_id)
        except NotFound:
            return None
