"""Routes for a batch's reminders: suggestions, confirm, list, move, cancel, done."""

from datetime import UTC, datetime

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from msgspec import UNSET

from app.api.etags import IfNoneMatch, conditional, version_tag
from app.api.headers import DeviceZone, device_zone
from app.api.openapi import BEARER, ETAG, LOCATION, contract
from app.api.params import Caller, PathId, known_id
from app.api.schemas.reminders import (
    ConfirmReminder,
    DoneOut,
    DoneReminder,
    ReminderOut,
    ReminderPage,
    SuggestionOut,
    SuggestionsOut,
    UpdateReminder,
)
from app.domain.clock import utc_now
from app.domain.errors import InvalidInput
from app.usecases.reminders import ConfirmRequest, MoveRequest, Reminders


class ReminderController(Controller):
    path = "/batches/{batch_id:str}/reminders"
    tags = ["reminders"]  # noqa: RUF012 (Litestar reads these as class attributes)
    security = BEARER

    @get(
        "/suggestions",
        operation_id="suggestReminders",
        sync_to_thread=False,
        **contract(400, 401, 404),
    )
    def suggestions(
        self,
        batch_id: PathId,
        principal: Caller,
        reminders: NamedDependency[Reminders],
        x_time_zone: DeviceZone = None,
    ) -> SuggestionsOut:
        zone, found = reminders.suggestions(
            principal.sub, known_id(batch_id, "batch"), utc_now(), device_zone(x_time_zone)
        )
        return SuggestionsOut(time_zone=zone, items=[SuggestionOut.of(s) for s in found])

    @post(
        "/confirm",
        operation_id="confirmReminder",
        sync_to_thread=False,
        **contract(400, 401, 404, 409, 413, 503, headers=(LOCATION,), also={200: ReminderOut}),
    )
    def confirm(
        self,
        batch_id: PathId,
        data: JSONBody[ConfirmReminder],
        principal: Caller,
        reminders: NamedDependency[Reminders],
    ) -> Response[ReminderOut]:
        """201 with the new reminder; 200 with the same one when the confirm is repeated."""
        reminder, created = reminders.confirm(
            principal.sub, known_id(batch_id, "batch"), confirm_request(data), utc_now()
        )
        return Response(
            ReminderOut.of(reminder),
            status_code=HTTP_201_CREATED if created else HTTP_200_OK,
            headers={"Location": f"/batches/{reminder.batch_id}/reminders/{reminder.id}"},
        )

    @get(
        operation_id="listReminders",
        sync_to_thread=False,
        **contract(401, 404),
    )
    def list_reminders(
        self, batch_id: PathId, principal: Caller, reminders: NamedDependency[Reminders]
    ) -> ReminderPage:
        found = reminders.list_for_batch(principal.sub, known_id(batch_id, "batch"))
        return ReminderPage(items=[ReminderOut.of(r) for r in found])

    @get(
        "/{reminder_id:str}",
        operation_id="getReminder",
        sync_to_thread=False,
        **contract(400, 401, 404, headers=(ETAG,), also={304: None}),
    )
    def get_reminder(
        self,
        batch_id: PathId,
        reminder_id: PathId,
        principal: Caller,
        reminders: NamedDependency[Reminders],
        if_none_match: IfNoneMatch = None,
    ) -> Response[ReminderOut]:
        """`ETag` from the reminder's version; `If-None-Match` -> 304."""
        reminder = reminders.get(
            principal.sub, known_id(batch_id, "batch"), known_id(reminder_id, "reminder")
        )
        return conditional(ReminderOut.of(reminder), version_tag(reminder.version), if_none_match)

    @patch(
        "/{reminder_id:str}",
        operation_id="updateReminder",
        sync_to_thread=False,
        **contract(400, 401, 404, 409, 413, 503),
    )
    def update_reminder(
        self,
        batch_id: PathId,
        reminder_id: PathId,
        data: JSONBody[UpdateReminder],
        principal: Caller,
        reminders: NamedDependency[Reminders],
    ) -> ReminderOut:
        now = utc_now()
        reminder = reminders.move(
            principal.sub,
            known_id(batch_id, "batch"),
            known_id(reminder_id, "reminder"),
            move_request(data, now),
            now,
        )
        return ReminderOut.of(reminder)

    @delete(
        "/{reminder_id:str}",
        operation_id="cancelReminder",
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=False,
        **contract(401, 404, 409, 503),
    )
    def cancel_reminder(
        self,
        batch_id: PathId,
        reminder_id: PathId,
        principal: Caller,
        reminders: NamedDependency[Reminders],
    ) -> None:
        reminders.cancel(
            principal.sub, known_id(batch_id, "batch"), known_id(reminder_id, "reminder"), utc_now()
        )

    @post(
        "/{reminder_id:str}/done",
        operation_id="completeReminder",
        status_code=HTTP_200_OK,
        sync_to_thread=False,
        **contract(400, 401, 404, 409, 413, 503),
    )
    def done(
        self,
        batch_id: PathId,
        reminder_id: PathId,
        principal: Caller,
        reminders: NamedDependency[Reminders],
        data: JSONBody[DoneReminder | None] = None,
    ) -> DoneOut:
        """Logs the reminder's event and, if it repeats, schedules the next one from now
        (or `doneAt`). Repeating the call returns the same event and next reminder."""
        result = reminders.done(
            principal.sub,
            known_id(batch_id, "batch"),
            known_id(reminder_id, "reminder"),
            data.done_at if data is not None else None,
            utc_now(),
        )
        return DoneOut(
            reminder=ReminderOut.of(result.reminder),
            event_id=result.event_id,
            next=ReminderOut.of(result.next) if result.next is not None else None,
        )


def confirm_request(data: ConfirmReminder) -> ConfirmRequest:
    return ConfirmRequest(
        suggestion_key=data.suggestion_key,
        action=data.action,
        text=data.text,
        due_at=data.due_at,
        repeat_every_hours=data.repeat_every_hours,
    )


def move_request(data: UpdateReminder, now: datetime) -> MoveRequest:
    """A PATCH body as a move: `dueAt`, or `snoozeMinutes` from now (not both)."""
    if data.due_at is not UNSET and data.snooze_minutes is not UNSET:
        raise InvalidInput("snoozeMinutes", "Give dueAt or snoozeMinutes, not both.")
    due_at = None
    if isinstance(data.due_at, datetime):
        due_at = data.due_at
    elif isinstance(data.snooze_minutes, int):
        due_at = datetime.fromtimestamp(now.timestamp() + 60 * data.snooze_minutes, UTC)
    return MoveRequest(
        version=data.version,
        due_at=due_at,
        text=data.text if isinstance(data.text, str) else None,
        repeat_every_hours=(
            data.repeat_every_hours if isinstance(data.repeat_every_hours, int) else None
        ),
        clear_repeat=data.repeat_every_hours is None,
    )
