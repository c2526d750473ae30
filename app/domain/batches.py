"""Batches and their event log: the shapes and the rules, with no I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal, get_args

import msgspec

from app.domain.errors import InvalidInput
from app.domain.ids import new_ulid

BatchKind = Literal["milk_kefir", "water_kefir", "kombucha", "sourdough", "other"]
BatchStatus = Literal["active", "paused", "finished", "archived"]
# `alert`: logged by the app when a sensor's readings raise an alert (app.domain.alerts).
EventType = Literal[
    "feed", "strain", "taste", "measure", "note", "second_ferment", "bottle", "alert"
]

BATCH_KINDS: tuple[BatchKind, ...] = get_args(BatchKind)
BATCH_STATUSES: tuple[BatchStatus, ...] = get_args(BatchStatus)
EVENT_TYPES: tuple[EventType, ...] = get_args(EventType)

# Reopening a finished batch and un-archiving exist because people tap the wrong
# button; an archived batch goes back to finished, never straight to active.
TRANSITIONS: dict[BatchStatus, frozenset[BatchStatus]] = {
    "active": frozenset({"paused", "finished", "archived"}),
    "paused": frozenset({"active", "finished", "archived"}),
    "finished": frozenset({"active", "archived"}),
    "archived": frozenset({"finished"}),
}

OPEN_STATUSES: tuple[BatchStatus, ...] = ("active", "paused")


class Batch(msgspec.Struct, kw_only=True, frozen=True):
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
    # Sharing: a public page and QR label for the batch. Off until the owner turns it on.
    public: bool = False
    # The culture that made it (the caller's own), if any.
    culture_id: str | None = None
    # A bottle split from a first ferment: the batch it came from.
    parent_batch_id: str | None = None


class Event(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    batch_id: str
    type: EventType
    occurred_at: datetime
    note: str | None
    ph: float | None
    temperature_c: float | None
    gravity: float | None
    created_at: datetime


def can_transition(current: BatchStatus, target: BatchStatus) -> bool:
    """Setting the same status again is a no-op and always allowed."""
    return current == target or target in TRANSITIONS[current]


def statuses_allowed_before(target: BatchStatus) -> tuple[BatchStatus, ...]:
    """Every status a batch may be in for a move to `target` to be valid.

    The store turns this into a condition on the write, so the check and the
    update happen atomically in one call.
    """
    return tuple(s for s in BATCH_STATUSES if can_transition(s, target))


def accepts_events(status: BatchStatus) -> bool:
    return status in OPEN_STATUSES


# Clocks drift and people log "just now" from a phone in airplane mode.
FUTURE_TOLERANCE = timedelta(minutes=10)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def new_batch(
    *,
    name: str,
    kind: BatchKind,
    started_at: datetime | None,
    notes: str | None,
    temperature_c: float | None,
    now: datetime,
    culture_id: str | None = None,
) -> Batch:
    started = started_at or now
    _not_in_future("startedAt", started, now)
    return Batch(
        id=new_ulid(now),
        name=name.strip() or _blank("name"),
        kind=kind,
        status="active",
        started_at=started,
        notes=notes,
        temperature_c=temperature_c,
        created_at=now,
        updated_at=now,
        version=1,
        culture_id=culture_id,
    )


def new_event(
    *,
    batch_id: str,
    type: EventType,
    occurred_at: datetime | None,
    note: str | None,
    ph: float | None,
    temperature_c: float | None,
    gravity: float | None,
    now: datetime,
) -> Event:
    occurred = occurred_at or now
    _not_in_future("occurredAt", occurred, now)
    if type == "measure" and ph is None and temperature_c is None and gravity is None:
        raise InvalidInput("ph", "A measure event needs at least one of ph, temperatureC, gravity.")
    return Event(
        id=new_ulid(occurred),
        batch_id=batch_id,
        type=type,
        occurred_at=occurred,
        note=note,
        ph=ph,
        temperature_c=temperature_c,
        gravity=gravity,
        created_at=now,
    )


def check_started_at(started_at: datetime, now: datetime) -> None:
    _not_in_future("startedAt", started_at, now)


def _not_in_future(field: str, value: datetime, now: datetime) -> None:
    """Nor before 1970: event ids are ULIDs of their time, which start there."""
    if value > now + FUTURE_TOLERANCE:
        raise InvalidInput(field, f"{field} cannot be in the future.")
    if value < EARLIEST:
        raise InvalidInput(field, f"{field} cannot be before 1970.")


def _blank(field: str) -> str:
    raise InvalidInput(field, f"{field} cannot be blank.")
