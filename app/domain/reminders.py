"""Reminders: what to do next with a batch and when, and the rules a reminder lives by.

No I/O. Every time going in or out is an aware UTC datetime; the user's time zone only
decides where steps counted in days land: on the same wall-clock time N calendar days
later, whatever a DST change did in between (a kombucha bottled "in 10 days" at 09:00
is due at 09:00, not at 08:00 or 10:00). Steps counted in hours are elapsed hours.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal, get_args

import msgspec

from app.domain.batches import Batch, BatchKind, Event, EventType
from app.domain.errors import InvalidInput
from app.domain.ids import ulid_from

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

ReminderStatus = Literal["pending", "scheduled", "sent", "failed", "done", "cancelled"]
REMINDER_STATUSES: tuple[ReminderStatus, ...] = get_args(ReminderStatus)
# pending: written, its schedule not yet confirmed; a reminder is only ever "scheduled"
# once the scheduler accepted it. sent: pushed, still waiting for the user's "done".
# failed: its time came and no push reached anyone (`failureReason` says why); the user
# retries by moving it to a new time, as with a snooze.
OPEN_REMINDER_STATUSES: tuple[ReminderStatus, ...] = ("pending", "scheduled", "sent", "failed")
# The statuses whose schedule may still exist: a schedule deletes itself once it fired.
SCHEDULE_MAY_EXIST: tuple[ReminderStatus, ...] = ("pending", "scheduled")

Anchor = Literal["start"] | EventType
Unit = Literal["hours", "days"]

# A reminder closer than this cannot be scheduled reliably (schedules fire by the second).
MIN_LEAD = timedelta(seconds=30)
MAX_AHEAD = timedelta(days=365)
MAX_REPEAT_HOURS = 24 * 30
# Suggested times are rounded so people see 08:15, not 08:13:27.
ROUND_TO = timedelta(minutes=15)
# When a step is already overdue, it is suggested this soon instead.
OVERDUE_LEAD = timedelta(minutes=15)


class Step(msgspec.Struct, frozen=True, kw_only=True):
    """One row of the table: `action` is due `hours` after the latest `after` event.

    `hours` holds at `reference_c`; warmer ferments faster (see `temperature_factor`),
    within [`min_hours`, `max_hours`]. A step with `closed_by` is skipped once such an
    event follows its anchor (a second ferment that was bottled needs no reminder).
    """

    key: str
    action: EventType
    text: str
    after: tuple[Anchor, ...]
    closed_by: tuple[EventType, ...] = ()
    hours: float
    min_hours: float
    max_hours: float
    reference_c: float
    unit: Unit = "hours"
    repeats: bool = False
    scales_with_temperature: bool = True
    # Only applies when the ferment's temperature is within these bounds (inclusive).
    min_c: float = -100
    max_c: float = 100


# The table of durations, in one place. Sources:
# - Milk kefir: ~24 h at 20-22 C, 12-48 h from warm to cool rooms; 12-24 h second
#   ferment. Cultures for Health, "How to Make Milk Kefir"
#   (culturesforhealth.com/learn/milk-kefir/how-to-make-milk-kefir/); Fermenting for
#   Foodies, "Milk kefir temperature guide".
# - Water kefir: 24-48 h first ferment at 20-25 C; 1-3 days second ferment in bottles.
#   Cultures for Health, "How to Make Water Kefir"; Yemoos, "Water kefir FAQ".
# - Kombucha: 7-14 days first ferment at 24-27 C, 1-3 days second ferment.
#   Cultures for Health, "How to Make Kombucha Tea"; The Big Book of Kombucha
#   (Crum & LaGory, 2016), ch. 6-7.
# - Sourdough starter: fed every ~12 h at room temperature (8-24 h from warm to
#   cool), about weekly when kept in the fridge. King Arthur Baking, "Sourdough starter
#   maintenance"; The Perfect Loaf, "How to maintain a sourdough starter".
# - Temperature: fermentation rates roughly double per 10 C in the range these cultures
#   live in (Q10 ~ 2; see e.g. Ratkowsky et al., J. Bacteriol. 149 (1982) 1-5), so a
#   step's time is scaled by 2 ** ((reference - actual) / 10), then kept in its range.
STEPS: dict[BatchKind, tuple[Step, ...]] = {
    "milk_kefir": (
        Step(
            key="strain",
            action="strain",
            text="Strain the kefir and put the grains in fresh milk",
            after=("start", "feed", "strain"),
            hours=24,
            min_hours=12,
            max_hours=48,
            reference_c=21,
            repeats=True,
        ),
        Step(
            key="bottle",
            action="bottle",
            text="Second ferment done: chill the kefir",
            after=("second_ferment",),
            closed_by=("bottle",),
            hours=18,
            min_hours=12,
            max_hours=24,
            reference_c=21,
        ),
    ),
    "water_kefir": (
        Step(
            key="strain",
            action="strain",
            text="Strain the water kefir and feed the grains fresh sugar water",
            after=("start", "feed", "strain"),
            hours=36,
            min_hours=24,
            max_hours=48,
            reference_c=22,
            repeats=True,
        ),
        Step(
            key="bottle",
            action="bottle",
            text="Second ferment done: chill the bottles",
            after=("second_ferment",),
            closed_by=("bottle",),
            hours=48,
            min_hours=24,
            max_hours=72,
            reference_c=22,
            unit="days",
        ),
    ),
    "kombucha": (
        Step(
            key="second_ferment",
            action="second_ferment",
            text="Taste the kombucha; when tart enough, bottle it for the second ferment",
            after=("start", "feed"),
            closed_by=("second_ferment",),
            hours=10 * 24,
            min_hours=7 * 24,
            max_hours=14 * 24,
            reference_c=24,
            unit="days",
        ),
        Step(
            key="bottle",
            action="bottle",
            text="Second ferment done: chill the bottles",
            after=("second_ferment",),
            closed_by=("bottle",),
            hours=2 * 24,
            min_hours=1 * 24,
            max_hours=3 * 24,
            reference_c=24,
            unit="days",
        ),
    ),
    "sourdough": (
        Step(
            key="feed",
            action="feed",
            text="Feed the starter",
            after=("start", "feed"),
            hours=12,
            min_hours=8,
            max_hours=24,
            reference_c=24,
            repeats=True,
            min_c=9,
        ),
        Step(
            key="feed_fridge",
            action="feed",
            text="Feed the starter from the fridge",
            after=("start", "feed"),
            hours=7 * 24,
            min_hours=7 * 24,
            max_hours=7 * 24,
            reference_c=4,
            unit="days",
            repeats=True,
            scales_with_temperature=False,
            max_c=8,
        ),
    ),
    "other": (),
}

# Without a measured temperature: a typical kitchen.
DEFAULT_TEMPERATURE_C = 21.0


class Suggestion(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    action: EventType
    text: str
    due_at: datetime
    repeat_every_hours: int | None
    temperature_c: float
    basis: str
    overdue: bool


class Reminder(msgspec.Struct, frozen=True, kw_only=True):
    """A batch's reminder (`batch_id`), or a culture's care reminder (`culture_id`, with
    `batch_id` None): the same rules, schedules and delivery; `done` logs the event on
    whichever it belongs to."""

    id: str
    batch_id: str | None
    action: EventType
    text: str
    due_at: datetime
    status: ReminderStatus
    repeat_every_hours: int | None
    suggestion_key: str | None
    created_at: datetime
    updated_at: datetime
    version: int
    sent_at: datetime | None = None
    done_at: datetime | None = None
    done_event_id: str | None = None
    next_reminder_id: str | None = None
    # Why it is `failed` (see FAILURE_REASONS); cleared when it is moved to a new time.
    failure_reason: str | None = None
    # Deliveries that reached no one so far; the last allowed one marks it failed.
    delivery_attempts: int = 0
    culture_id: str | None = None

    @property
    def owner_id(self) -> str:
        """The batch or culture it belongs to."""
        owner = self.batch_id or self.culture_id
        assert owner is not None, "a reminder belongs to a batch or a culture"
        return owner


# What a `failed` reminder's `failureReason` can say, for the app to explain.
FAILURE_REASONS = {
    "push-failed": "The push service did not accept the notification, after retries.",
    "push-rejected": "The push service refused the notification for every device.",
    "no-devices": "No device is registered for notifications.",
    "notifications-off": "Reminders are switched off in the profile.",
}
# Invocations of one schedule that may try to deliver (Lambda runs an asynchronous
# event up to three times): the last one that fails marks the reminder failed.
MAX_DELIVERY_ATTEMPTS = 3


def zone_or_utc(name: str | None) -> ZoneInfo:
    """The user's zone; an unknown or missing name means UTC rather than an error."""
    # zoneinfo (and the sysconfig it loads) on use: few routes work in a user's zone.
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo("UTC")


def temperature_factor(reference_c: float, actual_c: float) -> float:
    return float(2 ** ((reference_c - actual_c) / 10))


def ferment_temperature(batch: Batch, events: Sequence[Event]) -> float:
    """The latest measured temperature, else the batch's, else a typical kitchen."""
    for event in sorted(events, key=lambda e: e.occurred_at, reverse=True):
        if event.temperature_c is not None:
            return event.temperature_c
    return batch.temperature_c if batch.temperature_c is not None else DEFAULT_TEMPERATURE_C


def suggest(
    batch: Batch, events: Sequence[Event], now: datetime, zone: ZoneInfo
) -> list[Suggestion]:
    """The next steps for a batch, soonest first, from its kind, events and temperature."""
    temperature = ferment_temperature(batch, events)
    latest: dict[str, datetime] = {"start": batch.started_at}
    for event in events:
        if event.type not in latest or event.occurred_at > latest[event.type]:
            latest[event.type] = event.occurred_at
    found = []
    for step in STEPS[batch.kind]:
        if not step.min_c <= temperature <= step.max_c:
            continue
        anchors = [latest[a] for a in step.after if a in latest]
        if not anchors:
            continue
        anchor = max(anchors)
        if any(latest.get(closer, anchor) > anchor for closer in step.closed_by):
            continue
        found.append(_suggestion(step, anchor, temperature, now, zone))
    return sorted(found, key=lambda s: s.due_at)


def _suggestion(
    step: Step, anchor: datetime, temperature: float, now: datetime, zone: ZoneInfo
) -> Suggestion:
    factor = (
        temperature_factor(step.reference_c, temperature) if step.scales_with_temperature else 1
    )
    hours = min(max(step.hours * factor, step.min_hours), step.max_hours)
    if step.unit == "days":
        days = round(hours / 24)
        due = add_local_days(anchor, days, zone)
        basis = f"about {days} days at {temperature:g} °C"
        repeat = days * 24 if step.repeats else None
    else:
        due = anchor + timedelta(hours=hours)
        basis = f"about {round(hours)} h at {temperature:g} °C"
        repeat = round(hours) if step.repeats else None
    due = round_time(due)
    overdue = due < now + MIN_LEAD
    if overdue:
        due = ceil_time(now + OVERDUE_LEAD)
    return Suggestion(
        key=step.key,
        action=step.action,
        text=step.text,
        due_at=due,
        repeat_every_hours=repeat,
        temperature_c=temperature,
        basis=basis,
        overdue=overdue,
    )


def add_local_days(moment: datetime, days: int, zone: ZoneInfo) -> datetime:
    """`days` calendar days later at the same wall-clock time in `zone`, in UTC.

    A wall time that a DST change skips resolves forward (PEP 495, fold=0 takes the
    offset before the change); one it repeats resolves to the first occurrence.
    """
    wall = moment.astimezone(zone).replace(tzinfo=None) + timedelta(days=days)
    return wall.replace(tzinfo=zone).astimezone(UTC)


def round_time(moment: datetime, step: timedelta = ROUND_TO) -> datetime:
    seconds = step.total_seconds()
    return datetime.fromtimestamp(round(moment.timestamp() / seconds) * seconds, UTC)


def ceil_time(moment: datetime, step: timedelta = ROUND_TO) -> datetime:
    seconds = step.total_seconds()
    return datetime.fromtimestamp(math.ceil(moment.timestamp() / seconds) * seconds, UTC)


def check_due_at(due_at: datetime, now: datetime, field: str = "dueAt") -> datetime:
    """A due time a schedule can hold: in the future, within a year, whole seconds."""
    due = due_at.astimezone(UTC).replace(microsecond=0)
    if due < now + MIN_LEAD:
        raise InvalidInput(field, f"{field} must be at least 30 seconds in the future.")
    if due > now + MAX_AHEAD:
        raise InvalidInput(field, f"{field} cannot be more than a year ahead.")
    return due


def reminder_id(
    *, sub: str, owner_id: str, action: EventType, text: str, due_at: datetime, repeat: int | None
) -> str:
    """The same confirmation gives the same id, so a retried confirm finds its reminder
    (and its schedule, named after the id) instead of making another.

    A ULID whose time is the due time (reminders sort by when they were first due) and
    whose 80 random bits come from a hash of what was confirmed."""
    material = "\x1f".join(
        [sub, owner_id, action, text, due_at.astimezone(UTC).isoformat(), str(repeat)]
    )
    return _derived_ulid(due_at, material)


def next_reminder_id(previous_id: str, due_at: datetime) -> str:
    return _derived_ulid(due_at, f"next\x1f{previous_id}")


def _derived_ulid(at: datetime, material: str) -> str:
    random_bits = int.from_bytes(hashlib.sha256(material.encode()).digest()[:10], "big")
    return ulid_from(at, random_bits)


def next_due(done_at: datetime, every_hours: int, now: datetime) -> datetime:
    """The next one counts from when the step was done, skipping periods already past."""
    period = timedelta(hours=every_hours)
    due = done_at + period
    while due < now + MIN_LEAD:
        due += period
    return due.astimezone(UTC).replace(microsecond=0)


def new_reminder(
    *,
    sub: str,
    batch_id: str | None,
    culture_id: str | None = None,
    action: EventType,
    text: str,
    due_at: datetime,
    repeat_every_hours: int | None,
    suggestion_key: str | None,
    now: datetime,
) -> Reminder:
    due = check_due_at(due_at, now)
    text = text.strip()
    if not text:
        raise InvalidInput("text", "text cannot be blank.")
    owner_id = batch_id or culture_id
    assert owner_id is not None, "a reminder belongs to a batch or a culture"
    return Reminder(
        id=reminder_id(
            sub=sub,
            owner_id=owner_id,
            action=action,
            text=text,
            due_at=due,
            repeat=repeat_every_hours,
        ),
        batch_id=batch_id,
        culture_id=culture_id,
        action=action,
        text=text,
        due_at=due,
        status="pending",
        repeat_every_hours=repeat_every_hours,
        suggestion_key=suggestion_key,
        created_at=now,
        updated_at=now,
        version=1,
    )


def follow_up(reminder: Reminder, done_at: datetime, now: datetime) -> Reminder | None:
    """The next reminder of a repeating one, counted from when it was done."""
    if reminder.repeat_every_hours is None:
        return None
    due = next_due(done_at, reminder.repeat_every_hours, now)
    return Reminder(
        id=next_reminder_id(reminder.id, due),
        batch_id=reminder.batch_id,
        culture_id=reminder.culture_id,
        action=reminder.action,
        text=reminder.text,
        due_at=due,
        status="pending",
        repeat_every_hours=reminder.repeat_every_hours,
        suggestion_key=reminder.suggestion_key,
        created_at=now,
        updated_at=now,
        version=1,
    )
