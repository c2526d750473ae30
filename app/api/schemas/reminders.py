"""Bodies of the reminder routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from app.api.schemas.base import AwareDatetime, Body, NonBlankLine, Out, Version
from app.api.schemas.batches import BatchOut
from app.domain.batches import Batch, EventType
from app.domain.reminders import MAX_REPEAT_HOURS, Reminder, ReminderStatus, Suggestion

ReminderText = Annotated[NonBlankLine, Meta(min_length=1, max_length=200)]
SuggestionKey = Annotated[str, Meta(min_length=1, max_length=40, pattern=r"^[a-z_]+$")]
RepeatHours = Annotated[int, Meta(ge=1, le=MAX_REPEAT_HOURS, description="repeat every N hours")]
SnoozeMinutes = Annotated[int, Meta(ge=1, le=7 * 24 * 60)]


class SuggestionOut(Out):
    key: str
    action: EventType
    text: str
    due_at: datetime
    repeat_every_hours: int | None
    temperature_c: float
    basis: str
    overdue: bool

    @classmethod
    def of(cls, suggestion: Suggestion) -> SuggestionOut:
        return cls(**msgspec.structs.asdict(suggestion))


class BatchWithSuggestionsOut(BatchOut):
    suggestions: list[SuggestionOut]

    @classmethod
    def with_suggestions(
        cls, batch: Batch, suggestions: list[Suggestion]
    ) -> BatchWithSuggestionsOut:
        return cls(
            **msgspec.structs.asdict(BatchOut.of(batch)),
            suggestions=[SuggestionOut.of(s) for s in suggestions],
        )


class SuggestionsOut(Out):
    time_zone: str
    items: list[SuggestionOut]


class ConfirmReminder(Body):
    """Either a suggestion by `suggestionKey` (its fields are defaults; send back the
    `dueAt` you showed to pin it), or a custom reminder with `text` and `dueAt`."""

    suggestion_key: SuggestionKey | None = None
    action: EventType | None = None
    text: ReminderText | None = None
    due_at: AwareDatetime | None = None
    repeat_every_hours: RepeatHours | None = None


class UpdateReminder(Body):
    """Move (`dueAt`) or snooze (`snoozeMinutes` from now); `null` repeat stops repeating."""

    version: Version
    due_at: AwareDatetime | UnsetType = UNSET
    snooze_minutes: SnoozeMinutes | UnsetType = UNSET
    text: ReminderText | UnsetType = UNSET
    repeat_every_hours: RepeatHours | UnsetType | None = UNSET


class DoneReminder(Body):
    done_at: AwareDatetime | None = None


class ReminderOut(Out):
    id: str
    batch_id: str
    action: EventType
    text: str
    due_at: datetime
    status: ReminderStatus
    repeat_every_hours: int | None
    suggestion_key: str | None
    created_at: datetime
    updated_at: datetime
    version: int
    sent_at: datetime | None
    done_at: datetime | None
    done_event_id: str | None
    next_reminder_id: str | None
    # Set while `failed`: push-failed, push-rejected, no-devices, notifications-off.
    failure_reason: str | None

    @classmethod
    def of(cls, reminder: Reminder) -> ReminderOut:
        fields = msgspec.structs.asdict(reminder)
        del fields["delivery_attempts"]  # bookkeeping of the delivery, not the app's
        del fields["culture_id"]  # a batch's reminder: CultureReminderOut has the other kind
        return cls(**fields)


class ReminderPage(Out):
    items: list[ReminderOut]


class DoneOut(Out):
    reminder: ReminderOut
    event_id: str
    next: ReminderOut | None


class CultureReminderOut(Out):
    """A culture's care reminder: the same life as a batch's (`ReminderOut`); `done`
    logs its action on the culture."""

    id: str
    culture_id: str
    action: EventType
    text: str
    due_at: datetime
    status: ReminderStatus
    repeat_every_hours: int | None
    suggestion_key: str | None
    created_at: datetime
    updated_at: datetime
    version: int
    sent_at: datetime | None
    done_at: datetime | None
    done_event_id: str | None
    next_reminder_id: str | None
    failure_reason: str | None

    @classmethod
    def of(cls, reminder: Reminder) -> CultureReminderOut:
        fields = msgspec.structs.asdict(reminder)
        del fields["delivery_attempts"], fields["batch_id"]
        return cls(**fields)


class CultureReminderPage(Out):
    items: list[CultureReminderOut]


class CultureDoneOut(Out):
    """`eventId` is the culture event the reminder logged."""

    reminder: CultureReminderOut
    event_id: str
    next: CultureReminderOut | None
