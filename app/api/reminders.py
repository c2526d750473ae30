"""Routes for a batch's reminders: suggestions, confirm, list, move, cancel, done."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from msgspec import UNSET

from app.api.auth import provide_principal
from app.api.headers import DeviceZone, device_zone
from app.api.reminder_flows import ConfirmRequest, MoveRequest, ReminderFlows
from app.api.reminder_schemas import (
    ConfirmReminder,
    DoneOut,
    DoneReminder,
    ReminderOut,
    ReminderPage,
    SuggestionOut,
    SuggestionsOut,
    UpdateReminder,
)
from app.domain.batches import FUTURE_TOLERANCE
from app.domain.errors import InvalidInput, NotFound
from app.domain.ids import is_ulid
from app.services.auth import Principal

PathId = FromPath[str]
Caller = NamedDependency[Principal]
Flows = NamedDependency[ReminderFlows]


def _now() -> datetime:
    return datetime.now(UTC)


def _batch_id(value: str) -> str:
    if not is_ulid(value):
        raise NotFound("No such batch.")
    return value


def _reminder_id(value: str) -> str:
    if not is_ulid(value):
        raise NotFound("No such reminder.")
    return value


class ReminderController(Controller):
    path = "/batches/{batch_id:str}/reminders"
    tags = ["reminders"]  # noqa: RUF012 (Litestar reads these as class attributes)
    dependencies = {  # noqa: RUF012
        "principal": Provide(provide_principal, sync_to_thread=False),
    }

    @get("/suggestions", operation_id="suggestReminders", sync_to_thread=False)
    def suggestions(
        self,
        batch_id: PathId,
        principal: Caller,
        reminder_flows: Flows,
        x_time_zone: DeviceZone = None,
    ) -> SuggestionsOut:
        zone, found = reminder_flows.suggestions(
            principal.sub, _batch_id(batch_id), _now(), device_zone(x_time_zone)
        )
        return SuggestionsOut(time_zone=zone, items=[SuggestionOut.of(s) for s in found])

    @post("/confirm", operation_id="confirmReminder", sync_to_thread=False)
    def confirm(
        self,
        batch_id: PathId,
        data: JSONBody[ConfirmReminder],
        principal: Caller,
        reminder_flows: Flows,
    ) -> Response[ReminderOut]:
        """201 with the new reminder; 200 with the same one when the confirm is repeated."""
        reminder, created = reminder_flows.confirm(
            principal.sub,
            _batch_id(batch_id),
            ConfirmRequest(
                suggestion_key=data.suggestion_key,
                action=data.action,
                text=data.text,
                due_at=data.due_at,
                repeat_every_hours=data.repeat_every_hours,
            ),
            _now(),
        )
        return Response(
            ReminderOut.of(reminder), status_code=HTTP_201_CREATED if created else HTTP_200_OK
        )

    @get(operation_id="listReminders", sync_to_thread=False)
    def list_reminders(
        self, batch_id: PathId, principal: Caller, reminder_flows: Flows
    ) -> ReminderPage:
        found = reminder_flows.reminders.list_for_batch(principal.sub, _batch_id(batch_id))
        return ReminderPage(items=[ReminderOut.of(r) for r in found])

    @get("/{reminder_id:str}", operation_id="getReminder", sync_to_thread=False)
    def get_reminder(
        self, batch_id: PathId, reminder_id: PathId, principal: Caller, reminder_flows: Flows
    ) -> ReminderOut:
        return ReminderOut.of(
            reminder_flows.reminders.get(
                principal.sub, _batch_id(batch_id), _reminder_id(reminder_id)
            )
        )

    @patch("/{reminder_id:str}", operation_id="updateReminder", sync_to_thread=False)
    def update_reminder(
        self,
        batch_id: PathId,
        reminder_id: PathId,
        data: JSONBody[UpdateReminder],
        principal: Caller,
        reminder_flows: Flows,
    ) -> ReminderOut:
        now = _now()
        if data.due_at is not UNSET and data.snooze_minutes is not UNSET:
            raise InvalidInput("snoozeMinutes", "Give dueAt or snoozeMinutes, not both.")
        due_at = None
        if isinstance(data.due_at, datetime):
            due_at = data.due_at
        elif isinstance(data.snooze_minutes, int):
            due_at = datetime.fromtimestamp(now.timestamp() + 60 * data.snooze_minutes, UTC)
        reminder = reminder_flows.move(
            principal.sub,
            _batch_id(batch_id),
            _reminder_id(reminder_id),
            MoveRequest(
                version=data.version,
                due_at=due_at,
                text=data.text if isinstance(data.text, str) else None,
                repeat_every_hours=(
                    data.repeat_every_hours if isinstance(data.repeat_every_hours, int) else None
                ),
                clear_repeat=data.repeat_every_hours is None,
            ),
            now,
        )
        return ReminderOut.of(reminder)

    @delete(
        "/{reminder_id:str}",
        operation_id="cancelReminder",
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=False,
    )
    def cancel_reminder(
        self, batch_id: PathId, reminder_id: PathId, principal: Caller, reminder_flows: Flows
    ) -> None:
        reminder_flows.cancel(principal.sub, _batch_id(batch_id), _reminder_id(reminder_id), _now())

    @post(
        "/{reminder_id:str}/done",
        operation_id="completeReminder",
        status_code=HTTP_200_OK,
        sync_to_thread=False,
    )
    def done(
        self,
        batch_id: PathId,
        reminder_id: PathId,
        principal: Caller,
        reminder_flows: Flows,
        data: JSONBody[DoneReminder | None] = None,
    ) -> DoneOut:
        """Logs the reminder's event and, if it repeats, schedules the next one from now
        (or `doneAt`). Repeating the call returns the same event and next reminder."""
        now = _now()
        done_at = data.done_at if data is not None else None
        if done_at is not None and done_at > now + FUTURE_TOLERANCE:
            raise InvalidInput("doneAt", "doneAt cannot be in the future.")
        result = reminder_flows.done(
            principal.sub, _batch_id(batch_id), _reminder_id(reminder_id), done_at, now
        )
        return DoneOut(
            reminder=ReminderOut.of(result.reminder),
            event_id=result.event_id,
            next=ReminderOut.of(result.next) if result.next is not None else None,
        )
