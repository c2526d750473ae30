"""Reminders of a batch, and care reminders of a culture (feed the starter every 12 h,
refresh resting grains weekly): suggest, confirm, list, move, cancel, done, across the
table and the scheduler. Both kinds share every step; `done` logs the event on the
batch or the culture the reminder belongs to.

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

from datetime import datetime
from typing import TYPE_CHECKING

import msgspec

from app.domain.batches import FUTURE_TOLERANCE, Event, EventType, new_event
from app.domain.cultures import CareSuggestion, CultureEvent, new_culture_event, suggest_care
from app.domain.errors import (
    BatchClosed,
    CultureClosed,
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
    from app.store.cultures import CultureStore
    from app.store.profiles import ProfileStore
    from app.store.reminders import ReminderStore

log = get_logger(__name__)

# Enough of a batch's latest events to tell which step it is at.
LATEST_EVENTS = 50
# What a culture's care reminder may log when done (events a culture and a batch share).
CARE_ACTIONS: tuple[EventType, ...] = ("feed", "note")


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


class Reminders:
    def __init__(
        self,
        store: ReminderStore,
        profiles: ProfileStore,
        scheduler: ReminderScheduler | None,
        cultures: CultureStore | None = None,
    ) -> None:
        self.store = store
        self.profiles = profiles
        self._scheduler = scheduler
        self._cultures = cultures

    @property
    def scheduler(self) -> ReminderScheduler:
        if self._scheduler is None:
            raise ServiceUnavailable("Reminders are not configured on this server.")
        return self._scheduler

    # --- suggestions -----------------------------------------------------------------

    def suggestions(
        self, sub: str, batch_id: str, now: datetime, device_zone: str | None = None
    ) -> tuple[str, list[Suggestion]]:
        """The zone the app sent with the request (where the phone is now), else the
        profile's: the app sends it on every request, so the read is the exception."""
        zone = device_zone or self.profiles.time_zone(sub)
        batch, events = self.store.batch_with_latest_events(sub, batch_id, LATEST_EVENTS)
        return zone, suggest(batch, events, now, zone_or_utc(zone))

    def care_suggestions(
        self, sub: str, culture_id: str, now: datetime, device_zone: str | None = None
    ) -> tuple[str, list[CareSuggestion]]:
        """Feeds due for a culture itself, counted from its last feed, in the device's
        zone, else the profile's."""
        if self._cultures is None:
            raise ServiceUnavailable("Culture reminders are not configured on this server.")
        record = self._cultures.get(sub, culture_id)
        zone = device_zone or self.profiles.time_zone(sub)
        last_fed = max(record.feeds, default=None)
        return zone, suggest_care(record.culture, last_fed, now, zone_or_utc(zone))

    # --- list, get --------------------------------------------------------------------

    def list_for_batch(self, sub: str, batch_id: str) -> list[Reminder]:
        return self.store.list_for_batch(sub, batch_id)

    def get(self, sub: str, batch_id: str, reminder_id: str) -> Reminder:
        return self.store.get(sub, batch_id, reminder_id)

    def list_for_culture(self, sub: str, culture_id: str) -> list[Reminder]:
        return self.store.list_for_culture(sub, culture_id)

    def get_care(self, sub: str, culture_id: str, reminder_id: str) -> Reminder:
        return self.store.get_care(sub, culture_id, reminder_id)

    # --- confirm ---------------------------------------------------------------------

    def confirm(
        self, sub: str, batch_id: str, request: ConfirmRequest, now: datetime
    ) -> tuple[Reminder, bool]:
        """The reminder and whether this call created it (False: a retry found it)."""
        return self._schedule(sub, self._new_reminder(sub, batch_id, request, now), now)

    def confirm_care(
        self, sub: str, culture_id: str, request: ConfirmRequest, now: datetime
    ) -> tuple[Reminder, bool]:
        """A culture's care reminder, from a care suggestion (`suggestionKey`) or custom;
        `done` logs its action (a feed, or a note) on the culture."""
        action, text, due, repeat = (
            request.action,
            request.text,
            request.due_at,
            request.repeat_every_hours,
        )
        if request.suggestion_key is not None:
            _, found = self.care_suggestions(sub, culture_id, now)
            match = next((s for s in found if s.key == request.suggestion_key), None)
            if match is None:
                raise InvalidInput(
                    "suggestionKey",
                    f"No care suggestion {request.suggestion_key!r} for this culture now; "
                    f"current ones: {', '.join(s.key for s in found) or 'none'}.",
                )
            action = action or "feed"
            text = text or match.text
            due = due or match.due_at
            repeat = repeat if repeat is not None else match.repeat_every_hours
        elif self._cultures is not None:
            self._cultures.get(sub, culture_id)  # 404 before anything else for an unknown one
        if action is not None and action not in CARE_ACTIONS:
            raise InvalidInput(
                "action", f"A culture's reminder logs one of: {', '.join(CARE_ACTIONS)}."
            )
        if due is None:
            raise InvalidInput("dueAt", "dueAt is required without a suggestionKey.")
        if text is None:
            raise InvalidInput("text", "text is required without a suggestionKey.")
        reminder = new_reminder(
            sub=sub,
            batch_id=None,
            culture_id=culture_id,
            action=action or "feed",
            text=text,
            due_at=due,
            repeat_every_hours=repeat,
            suggestion_key=request.suggestion_key,
            now=now,
        )
        return self._schedule(sub, reminder, now)

    def _schedule(self, sub: str, reminder: Reminder, now: datetime) -> tuple[Reminder, bool]:
        """Write it pending, make its schedule, mark it scheduled (see the module's notes)."""
        scheduler = self.scheduler
        stored, created = self.store.add(sub, reminder)
        if stored.status == "cancelled":
            reopened = self.store.reopen(sub, stored, now)
            if reopened is None:
                raise StaleVersion("The reminder changed meanwhile; try again.")
            stored, created = reopened, True
        if stored.status != "pending":
            return stored, False  # scheduled, sent or done by an earlier identical confirm
        try:
            scheduler.create(_target(sub, stored), stored.due_at)
        except ServiceUnavailable:
            self.store.remove_pending(sub, stored, now)
            raise
        scheduled = self.store.mark_scheduled(sub, stored, now)
        if scheduled is not None:
            return scheduled, created
        # Changed meanwhile: a concurrent identical confirm got there first (fine), or the
        # reminder was cancelled (its batch finished), in which case the schedule goes.
        latest = self.store.reload(sub, stored)
        if latest.status == "cancelled":
            scheduler.delete(stored.id)
            if latest.culture_id is not None:
                raise CultureClosed("The culture was closed while its reminder was scheduled.")
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
        return self._move(sub, self.store.get(sub, batch_id, reminder_id), request, now)

    def move_care(
        self, sub: str, culture_id: str, reminder_id: str, request: MoveRequest, now: datetime
    ) -> Reminder:
        return self._move(sub, self.store.get_care(sub, culture_id, reminder_id), request, now)

    def _move(self, sub: str, current: Reminder, request: MoveRequest, now: datetime) -> Reminder:
        scheduler = self.scheduler
        if current.status not in OPEN_REMINDER_STATUSES:
            raise ReminderClosed(f"The reminder is {current.status}.")
        if current.version != request.version:
            raise StaleVersion(
                f"The reminder was changed since version {request.version}; "
                f"it is now at version {current.version}. Reload it and try again."
            )
        if request.due_at is None:  # text or repeat only: the schedule stays as it is
            return self.store.move(
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
            return self.store.move(
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
            stored = self.store.reload(sub, moved)
        except NotFound:
            self.scheduler.delete(moved.id)
            return
        if stored.status in ("pending", "scheduled"):
            self.scheduler.put(_target(sub, stored), stored.due_at)
        else:
            self.scheduler.delete(stored.id)

    def cancel(self, sub: str, batch_id: str, reminder_id: str, now: datetime) -> Reminder:
        scheduler = self.scheduler
        cancelled = self.store.cancel(sub, batch_id, reminder_id, now)
        scheduler.delete(reminder_id)
        return cancelled

    def cancel_care(self, sub: str, culture_id: str, reminder_id: str, now: datetime) -> Reminder:
        scheduler = self.scheduler
        cancelled = self.store.cancel_care(sub, culture_id, reminder_id, now)
        scheduler.delete(reminder_id)
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
        if done_at is not None and done_at > now + FUTURE_TOLERANCE:
            raise InvalidInput("doneAt", "doneAt cannot be in the future.")
        return self._done(sub, self.store.get(sub, batch_id, reminder_id), done_at, now)

    def done_care(
        self,
        sub: str,
        culture_id: str,
        reminder_id: str,
        done_at: datetime | None,
        now: datetime,
    ) -> DoneResult:
        """Logs the care reminder's feed (or note) on the culture: its last feed moves."""
        if done_at is not None and done_at > now + FUTURE_TOLERANCE:
            raise InvalidInput("doneAt", "doneAt cannot be in the future.")
        return self._done(sub, self.store.get_care(sub, culture_id, reminder_id), done_at, now)

    def _done(
        self, sub: str, current: Reminder, done_at: datetime | None, now: datetime
    ) -> DoneResult:
        scheduler = self.scheduler
        if current.status == "done":
            return self._finish_done(sub, current, now)
        if current.status not in OPEN_REMINDER_STATUSES:
            raise ReminderClosed(f"The reminder is {current.status}.")
        event = _event_of(current, done_at, now)
        follow = follow_up(current, event.occurred_at, now)
        if not self.store.complete(sub, current, event=event, follow_up=follow, now=now):
            # Another call changed it first: if that one marked it done, this is a retry.
            latest = self.store.reload(sub, current)
            if latest.status == "done":
                return self._finish_done(sub, latest, now)
            raise StaleVersion("The reminder changed meanwhile; reload it and try again.")
        if current.status in ("pending", "scheduled"):
            scheduler.forget(current.id)  # done before it fired
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
            following = self.store.reload(sub, done, done.next_reminder_id)
        if following is not None and following.status == "pending":
            self.scheduler.create(_target(sub, following), following.due_at)
            following = self.store.mark_scheduled(sub, following, now) or (
                self.store.reload(sub, following)
            )
        return DoneResult(reminder=done, event_id=done.done_event_id or "", next=following)


def _event_of(reminder: Reminder, done_at: datetime | None, now: datetime) -> Event | CultureEvent:
    """What `done` logs: the reminder's action, with its text as the note, on its batch
    or its culture."""
    if reminder.culture_id is not None:
        return new_culture_event(
            culture_id=reminder.culture_id,
            type="note" if reminder.action == "note" else "feed",
            occurred_at=done_at,
            note=reminder.text,
            grams=None,
            now=now,
        )
    return new_event(
        batch_id=reminder.owner_id,
        type=reminder.action,
        occurred_at=done_at,
        note=reminder.text,
        ph=None,
        temperature_c=None,
        gravity=None,
        now=now,
    )


def _target(sub: str, reminder: Reminder) -> ReminderTarget:
    return ReminderTarget(
        user_id=sub,
        reminder_id=reminder.id,
        batch_id=reminder.batch_id,
        culture_id=reminder.culture_id,
    )
