"""Routes for a culture's care reminders: suggestions (feed a starter every 12 h,
refresh resting grains weekly), confirm, list, move, cancel, done. The same use case
and life as a batch's reminders; `done` logs the feed on the culture."""

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from app.api.etags import IfNoneMatch, conditional, version_tag
from app.api.headers import DeviceZone, device_zone
from app.api.openapi import BEARER, ETAG, LOCATION, contract
from app.api.params import Caller, PathId, known_id
from app.api.reminders import confirm_request, move_request
from app.api.schemas.cultures import CareSuggestionOut, CareSuggestionsOut
from app.api.schemas.reminders import (
    ConfirmReminder,
    CultureDoneOut,
    CultureReminderOut,
    CultureReminderPage,
    DoneReminder,
    UpdateReminder,
)
from app.domain.clock import utc_now
from app.usecases.reminders import Reminders

UseCase = NamedDependency[Reminders]


class CultureReminderController(Controller):
    path = "/cultures/{culture_id:str}/reminders"
    tags = ["cultures"]  # noqa: RUF012 (Litestar reads these as class attributes)
    security = BEARER

    @get(
        "/suggestions",
        operation_id="suggestCultureCare",
        sync_to_thread=False,
        **contract(400, 401, 404),
    )
    def suggestions(
        self,
        culture_id: PathId,
        principal: Caller,
        reminders: UseCase,
        x_time_zone: DeviceZone = None,
    ) -> CareSuggestionsOut:
        """When to feed the culture itself: a starter every 12 h, resting grains weekly, a
        SCOBY hotel every four weeks; counted from the last feed event."""
        zone, found = reminders.care_suggestions(
            principal.sub, known_id(culture_id, "culture"), utc_now(), device_zone(x_time_zone)
        )
        return CareSuggestionsOut(time_zone=zone, items=[CareSuggestionOut.of(s) for s in found])

    @post(
        "/confirm",
        operation_id="confirmCultureReminder",
        sync_to_thread=False,
        **contract(
            400, 401, 404, 409, 413, 503, headers=(LOCATION,), also={200: CultureReminderOut}
        ),
    )
    def confirm(
        self,
        culture_id: PathId,
        data: JSONBody[ConfirmReminder],
        principal: Caller,
        reminders: UseCase,
    ) -> Response[CultureReminderOut]:
        """A care suggestion by `suggestionKey`, or a custom reminder (`action` feed or
        note); 201 when made, 200 with the same one when the confirm is repeated."""
        reminder, created = reminders.confirm_care(
            principal.sub, known_id(culture_id, "culture"), confirm_request(data), utc_now()
        )
        return Response(
            CultureReminderOut.of(reminder),
            status_code=HTTP_201_CREATED if created else HTTP_200_OK,
            headers={"Location": f"/cultures/{culture_id}/reminders/{reminder.id}"},
        )

    @get(operation_id="listCultureReminders", sync_to_thread=False, **contract(401, 404))
    def list_reminders(
        self, culture_id: PathId, principal: Caller, reminders: UseCase
    ) -> CultureReminderPage:
        found = reminders.list_for_culture(principal.sub, known_id(culture_id, "culture"))
        return CultureReminderPage(items=[CultureReminderOut.of(r) for r in found])

    @get(
        "/{reminder_id:str}",
        operation_id="getCultureReminder",
        sync_to_thread=False,
        **contract(400, 401, 404, headers=(ETAG,), also={304: None}),
    )
    def get_reminder(
        self,
        culture_id: PathId,
        reminder_id: PathId,
        principal: Caller,
        reminders: UseCase,
        if_none_match: IfNoneMatch = None,
    ) -> Response[CultureReminderOut]:
        """`ETag` from the reminder's version; `If-None-Match` -> 304."""
        reminder = reminders.get_care(
            principal.sub, known_id(culture_id, "culture"), known_id(reminder_id, "reminder")
        )
        return conditional(
            CultureReminderOut.of(reminder), version_tag(reminder.version), if_none_match
        )

    @patch(
        "/{reminder_id:str}",
        operation_id="updateCultureReminder",
        sync_to_thread=False,
        **contract(400, 401, 404, 409, 413, 503),
    )
    def update_reminder(
        self,
        culture_id: PathId,
        reminder_id: PathId,
        data: JSONBody[UpdateReminder],
        principal: Caller,
        reminders: UseCase,
    ) -> CultureReminderOut:
        """Move (`dueAt`) or snooze (`snoozeMinutes`); `null` repeat stops repeating."""
        now = utc_now()
        reminder = reminders.move_care(
            principal.sub,
            known_id(culture_id, "culture"),
            known_id(reminder_id, "reminder"),
            move_request(data, now),
            now,
        )
        return CultureReminderOut.of(reminder)

    @delete(
        "/{reminder_id:str}",
        operation_id="cancelCultureReminder",
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=False,
        **contract(401, 404, 409, 503),
    )
    def cancel_reminder(
        self, culture_id: PathId, reminder_id: PathId, principal: Caller, reminders: UseCase
    ) -> None:
        reminders.cancel_care(
            principal.sub,
            known_id(culture_id, "culture"),
            known_id(reminder_id, "reminder"),
            utc_now(),
        )

    @post(
        "/{reminder_id:str}/done",
        operation_id="completeCultureReminder",
        status_code=HTTP_200_OK,
        sync_to_thread=False,
        **contract(400, 401, 404, 409, 413, 503),
    )
    def done(
        self,
        culture_id: PathId,
        reminder_id: PathId,
        principal: Caller,
        reminders: UseCase,
        data: JSONBody[DoneReminder | None] = None,
    ) -> CultureDoneOut:
        """Logs the feed (or note) on the culture and, if it repeats, schedules the next
        one from then. Repeating the call returns the same event and next reminder."""
        result = reminders.done_care(
            principal.sub,
            known_id(culture_id, "culture"),
            known_id(reminder_id, "reminder"),
            data.done_at if data is not None else None,
            utc_now(),
        )
        return CultureDoneOut(
            reminder=CultureReminderOut.of(result.reminder),
            event_id=result.event_id,
            next=CultureReminderOut.of(result.next) if result.next is not None else None,
        )
