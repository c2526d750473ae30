"""What the reminder routes do, step by step, across the table and the scheduler.

The table and the scheduler cannot share a transaction, so every flow orders its steps
so that a failure between two of them leaves nothing that misleads:

* confirm: write the reminder `pending`, create its schedule, then mark it
  `scheduled`. If the scheduler fails, the pending item is removed again; if the process
  dies in between, the item stays `pending` (never `scheduled`) and a retried confirm,
  which derives the same reminder id and schedule name, finishes the job.
* move: change the schedule first, then the item (conditional on its version); if the
  item changed meanwhile, the schedule is put back in line with what is stored.
* cancel: mark the item `cancelled` first, then delete the schedule; a schedule that
  survives fires into a cancelled reminder, which the delivery skips.
* done: one transaction closes the reminder, logs its event and writes the next one
  `pending`; then the next schedule is created. A retry finds the reminder done and
  only finishes what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

import msgspec

from app.domain.batches import Batch, EventType, new_event
from app.domain.errors import (
    BatchClosed,
    InvalidInput,
    NotFound,
    ReminderClosed,
    ServiceUnavailable,
    StaleVersion,
)
from app.domain.reminders import (
    OPEN_REMINDER_STATUSES,
    Reminder,
    Suggestion,
    check_due_at,
    follow_up,
    new_reminder,
    suggest,
    zone_or_utc,
)
from app.logs import get_logger
from app.services.scheduler import ReminderScheduler, ReminderTarget

if TYPE_CHECKING:
    from app.store.profiles import ProfileStore
    from app.store.reminders import ReminderStore

log = get_logger(__name__)

# Enough of a batch's latest events to tell which step it is at.
LATEST_EVENTS = 50


class ConfirmRequest(msgspec.Struct, frozen=True, kw_only=True):
    suggestion_key: str | None = None
    action: EventType | None = None
    text: str | None = None
    due_at: datetime | None = None
    repeat_every_hours: int | None = None


class MoveRequest(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    due_at: datetime | None = None
    text: str | None = None
    repeat_every_hours: int | None = None
    clear_repeat: bool = False


class DoneResult(msgspec.Struct, frozen=True):
    reminder: Reminder
    event_id: str
    next: Reminder | None


class ReminderFlows:
    def __init__(
        self,
        reminders: ReminderStore,
        profiles: ProfileStore,
        scheduler: ReminderScheduler | None,
    ) -> None:
        self.reminders = reminders
        self.profiles = profiles
        self._scheduler = scheduler

    @property
    def scheduler(self) -> ReminderScheduler:
        if self._scheduler is None:
            raise ServiceUnavailable("Reminders are not configured on this server.")
        return self._scheduler

    def delete_schedules(self, reminder_ids: list[str]) -> None:
        """Account deletion: every schedule goes (one already fired or deleted is fine).
        Not best effort: a failure fails the deletion, which the user can retry."""
        if self._scheduler is None:
            return
        for reminder_id in reminder_ids:
            self._scheduler.delete(reminder_id)

    # --- suggestions -----------------------------------------------------------------

    def time_zone(self, sub: str, device_zone: str | None = None) -> str:
        """The zone the app sent with the request (where the phone is now), else the
        profile's: the app sends it on every request, so the read is the exception."""
        return device_zone or self.profiles.time_zone(sub)

    def suggest_for_new(
        self, sub: str, batch: Batch, now: datetime, device_zone: str | None = None
    ) -> list[Suggestion]:
        return suggest(batch, [], now, zone_or_utc(self.time_zone(sub, device_zone)))

    def suggestions(
        self, sub: str, batch_id: str, now: datetime, device_zone: str | None = None
    ) -> tuple[str, list[Suggestion]]:
        zone = self.time_zone(sub, device_zone)
        batch, events = self.reminders.batch_with_latest_events(sub, batch_id, LATEST_EVENTS)
        return zone, suggest(batch, events, now, zone_or_utc(zone))

    # --- confirm ---------------------------------------------------------------------

    def confirm(
        self, sub: str, batch_id: str, request: ConfirmRequest, now: datetime
    ) -> tuple[Reminder, bool]:
        """The reminder and whether this call created it (False: a retry found it)."""
        scheduler = self.scheduler
        reminder = self._new_reminder(sub, batch_id, request, now)
        stored, created = self.reminders.add(sub, reminder)
        if stored.status == "cancelled":
            reopened = self.reminders.reopen(sub, stored, now)
            if reopened is None:
                raise StaleVersion("The reminder changed meanwhile; try again.")
            stored, created = reopened, True
        if stored.status != "pending":
            return stored, False  # scheduled, sent or done by an earlier identical confirm
        try:
            scheduler.create(_target(sub, stored), stored.due_at)
        except ServiceUnavailable:
            self.reminders.remove_pending(sub, stored)
            raise
        scheduled = self.reminders.mark_scheduled(sub, stored, now)
        if scheduled is not None:
            return scheduled, created
        # Changed meanwhile: a concurrent identical confirm got there first (fine), or the
        # reminder was cancelled (its batch finished), in which case the schedule goes.
        latest = self.reminders.get(sub, batch_id, stored.id)
        if latest.status == "cancelled":
            scheduler.delete(stored.id)
            raise BatchClosed("The batch was closed while the reminder was being scheduled.")
        return latest, created

    def _new_reminder(
        self, sub: str, batch_id: str, request: ConfirmRequest, now: datetime
    ) -> Reminder:
        action, text, due, repeat = (
            request.action,
            request.text,
            request.due_at,
            request.repeat_every_hours,
        )
        if request.suggestion_key is not None:
            _, found = self.suggestions(sub, batch_id, now)
            match = next((s for s in found if s.key == request.suggestion_key), None)
            if match is None:
                raise InvalidInput(
                    "suggestionKey",
                    f"No suggestion {request.suggestion_key!r} for this batch now; "
                    f"current ones: {', '.join(s.key for s in found) or 'none'}.",
                )
            action = action or match.action
            text = text or match.text
            due = due or match.due_at
            repeat = repeat if repeat is not None else match.repeat_every_hours
        if due is None:
            raise InvalidInput("dueAt", "dueAt is required without a suggestionKey.")
        if text is None:
            raise InvalidInput("text", "text is required without a suggestionKey.")
        return new_reminder(
            sub=sub,
            batch_id=batch_id,
            action=action or "note",
            text=text,
            due_at=due,
            repeat_every_hours=repeat,
            suggestion_key=request.suggestion_key,
            now=now,
        )

    # --- move, cancel ----------------------------------------------------------------

    def move(
        self, sub: str, batch_id: str, reminder_id: str, request: MoveRequest, now: datetime
    ) -> Reminder:
        scheduler = self.scheduler
        current = self.reminders.get(sub, batch_id, reminder_id)
        if current.status not in OPEN_REMINDER_STATUSES:
            raise ReminderClosed(f"The reminder is {current.status}.")
        if current.version != request.version:
            raise StaleVersion(
                f"The reminder was changed since version {request.version}; "
                f"it is now at version {current.version}. Reload it and try again."
            )
        if request.due_at is None:  # text or repeat only: the schedule stays as it is
            return self.reminders.move(
                sub,
                current,
                due_at=None,
                text=request.text,
                repeat_every_hours=request.repeat_every_hours,
                clear_repeat=request.clear_repeat,
                now=now,
            )
        due = check_due_at(request.due_at, now)
        scheduler.put(_target(sub, current), due)
        try:
            return self.reminders.move(
                sub,
                current,
                due_at=due,
                text=request.text,
                repeat_every_hours=request.repeat_every_hours,
                clear_repeat=request.clear_repeat,
                now=now,
            )
        except Exception:
            try:
                self._realign(sub, current)
            except Exception:  # the original error is the one to report
                log.warning("schedule_realign_failed", reminder=current.id)
            raise

    def _realign(self, sub: str, moved: Reminder) -> None:
        """Make the schedule match what is stored after a move lost a race."""
        try:
            stored = self.reminders.get(sub, moved.batch_id, moved.id)
        except NotFound:
            self.scheduler.delete(moved.id)
            return
        if stored.status in ("pending", "scheduled"):
            self.scheduler.put(_target(sub, stored), stored.due_at)
        else:
            self.scheduler.delete(stored.id)

    def cancel(self, sub: str, batch_id: str, reminder_id: str, now: datetime) -> Reminder:
        scheduler = self.scheduler
        cancelled = self.reminders.cancel(sub, batch_id, reminder_id, now)
        scheduler.delete(reminder_id)
        return cancelled

    def cancel_all(self, sub: str, batch_id: str, now: datetime) -> int:
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
            if self._scheduler is not None:
                _quietly(partial(self._scheduler.delete, reminder.id), reminder.id)
        return cancelled

    # --- done ------------------------------------------------------------------------

    def done(
        self,
        sub: str,
        batch_id: str,
        reminder_id: str,
        done_at: datetime | None,
        now: datetime,
    ) -> DoneResult:
        scheduler = self.scheduler
        current = self.reminders.get(sub, batch_id, reminder_id)
        if current.status == "done":
            return self._finish_done(sub, current, now)
        if current.status not in OPEN_REMINDER_STATUSES:
            raise ReminderClosed(f"The reminder is {current.status}.")
        event = new_event(
            batch_id=batch_id,
            type=current.action,
            occurred_at=done_at,
            note=current.text,
            ph=None,
            temperature_c=None,
            gravity=None,
            now=now,
        )
        follow = follow_up(current, event.occurred_at, now)
        if not self.reminders.complete(sub, current, event=event, follow_up=follow, now=now):
            # Another call changed it first: if that one marked it done, this is a retry.
            latest = self.reminders.get(sub, batch_id, reminder_id)
            if latest.status == "done":
                return self._finish_done(sub, latest, now)
            raise StaleVersion("The reminder changed meanwhile; reload it and try again.")
        if current.status in ("pending", "scheduled"):
            _quietly(partial(scheduler.delete, current.id), current.id)  # done before it fired
        done = msgspec.structs.replace(
            current,
            status="done",
            done_at=event.occurred_at,
            done_event_id=event.id,
            next_reminder_id=follow.id if follow is not None else None,
            updated_at=now,
            version=current.version + 1,
        )
        return self._finish_done(sub, done, now, follow)

    def _finish_done(
        self, sub: str, done: Reminder, now: datetime, following: Reminder | None = None
    ) -> DoneResult:
        """Schedule the next reminder if that did not happen yet; the same answer every time.
        `following` is the next reminder when the caller has just written it."""
        if following is None and done.next_reminder_id is not None:
            following = self.reminders.get(sub, done.batch_id, done.next_reminder_id)
        if following is not None and following.status == "pending":
            self.scheduler.create(_target(sub, following), following.due_at)
            following = self.reminders.mark_scheduled(sub, following, now) or (
                self.reminders.get(sub, following.batch_id, following.id)
            )
        return DoneResult(reminder=done, event_id=done.done_event_id or "", next=following)


def _target(sub: str, reminder: Reminder) -> ReminderTarget:
    return ReminderTarget(user_id=sub, batch_id=reminder.batch_id, reminder_id=reminder.id)


def _quietly(action: Callable[[], object], reminder_id: str) -> None:
    """Deleting a schedule that is no longer wanted: if the scheduler fails now, the
    schedule fires into a reminder the delivery skips."""
    try:
        action()
    except ServiceUnavailable:
        log.warning("schedule_left_to_fire", reminder=reminder_id)
