"""A user's batches and their event logs, with the cascades that reach past the batch
item: finishing or deleting a batch cancels its open reminders (table and scheduler),
and deleting one removes its photos' S3 objects too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import msgspec

from app.domain.batches import Batch, BatchStatus, Event, check_started_at
from app.domain.errors import InvalidInput, NotFound, ReminderClosed
from app.domain.idempotency import Idempotency
from app.domain.reminders import OPEN_REMINDER_STATUSES, Suggestion, suggest, zone_or_utc
from app.services.photos import PhotoObjects, photo_key
from app.services.scheduler import ReminderScheduler
from app.store.batches import BatchChanges, BatchStore, BatchWithEvents
from app.store.pages import Page

if TYPE_CHECKING:
    from app.store.profiles import ProfileStore
    from app.store.reminders import ReminderStore
    from app.usecases.sensors import Forget

__all__ = ["BatchChanges", "Batches", "NewBatch"]

EVENTS_IN_DETAIL = 100


class NewBatch(msgspec.Struct, frozen=True):
    batch: Batch
    suggestions: list[Suggestion]


class Batches:
    def __init__(
        self,
        store: BatchStore,
        reminders: ReminderStore,
        profiles: ProfileStore,
        scheduler: ReminderScheduler | None,
        objects: PhotoObjects | None,
        forget: Forget | None = None,
    ) -> None:
        self.store = store
        self.reminders = reminders
        self.profiles = profiles
        self.scheduler = scheduler
        self.objects = objects
        self.forget = forget

    def create(
        self,
        sub: str,
        batch: Batch,
        now: datetime,
        device_zone: str | None = None,
        idempotency: Idempotency | None = None,
    ) -> NewBatch:
        """The new batch with its first reminder suggestions, in the device's zone when
        the app sent one (then no profile read), else the profile's. A repeated request
        (same idempotency key) gets the batch the first one created."""
        batch = self.store.create_batch(sub, batch, idempotency)
        zone = device_zone or self.profiles.time_zone(sub)
        return NewBatch(batch, suggest(batch, [], now, zone_or_utc(zone)))

    def list_batches(
        self, sub: str, *, status: BatchStatus | None, limit: int, cursor: str | None
    ) -> Page[Batch]:
        return self.store.list_batches(sub, status=status, limit=limit, cursor=cursor)

    def detail(self, sub: str, batch_id: str) -> BatchWithEvents:
        return self.store.get_batch_with_events(sub, batch_id, EVENTS_IN_DETAIL)

    def get(self, sub: str, batch_id: str) -> Batch:
        return self.store.get_batch_with_events(sub, batch_id, 0).batch

    def update(
        self,
        sub: str,
        batch_id: str,
        version: int,
        changes: BatchChanges,
        now: datetime,
        idempotency: Idempotency | None = None,
    ) -> Batch:
        if changes.started_at is not None:
            check_started_at(changes.started_at, now)
        if changes.name is not None:
            if not changes.name.strip():
                raise InvalidInput("name", "name cannot be blank.")
            changes = msgspec.structs.replace(changes, name=changes.name.strip())
        batch = self.store.update_batch(sub, batch_id, version, changes, now, idempotency)
        if changes.status in ("finished", "archived"):
            self._cancel_reminders(sub, batch.id, now)
        return batch

    def delete(self, sub: str, batch_id: str, now: datetime) -> None:
        self._cancel_reminders(sub, batch_id, now)
        self.store.delete_batch(
            sub, batch_id, now, release_photos=self._photo_release(sub, batch_id)
        )
        if self.forget is not None:  # its readings partition and its sensors' tokens
            self.forget.batch(sub, batch_id, now)

    def add_event(self, sub: str, event: Event, idempotency: Idempotency | None = None) -> Event:
        return self.store.add_event(sub, event, idempotency)

    def list_events(
        self, sub: str, batch_id: str, *, limit: int, cursor: str | None
    ) -> Page[Event]:
        return self.store.list_events(sub, batch_id, limit=limit, cursor=cursor)

    def delete_event(self, sub: str, batch_id: str, event_id: str, now: datetime) -> None:
        self.store.delete_event(sub, batch_id, event_id, now)

    def _cancel_reminders(self, sub: str, batch_id: str, now: datetime) -> int:
        """Cancel a batch's open reminders (it was finished or is being deleted).

        Best effort on the scheduler: a schedule that cannot be deleted now fires into
        a cancelled reminder (or a gone batch) and the delivery skips it."""
        try:
            reminders = self.reminders.list_for_batch(sub, batch_id)
        except NotFound:
            return 0
        cancelled = 0
        for reminder in reminders:
            if reminder.status not in OPEN_REMINDER_STATUSES:
                continue
            try:
                self.reminders.cancel(sub, batch_id, reminder.id, now)
            except (ReminderClosed, NotFound):
                continue
            cancelled += 1
            if self.scheduler is not None:
                self.scheduler.forget(reminder.id)
        return cancelled

    def _photo_release(self, sub: str, batch_id: str) -> Callable[[list[str]], None] | None:
        """Deletes the S3 objects of photos the batch sweep is about to remove."""
        objects = self.objects
        if objects is None:
            return None
        return lambda photo_ids: objects.delete(photo_key(sub, batch_id, i) for i in photo_ids)
