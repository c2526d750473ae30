"""Routes for a user's batches and their event logs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, TypeVar

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_204_NO_CONTENT
from msgspec import UNSET, UnsetType

from app.api.auth import provide_principal
from app.api.headers import DeviceZone, device_zone
from app.api.reminder_flows import ReminderFlows
from app.api.reminder_schemas import BatchWithSuggestionsOut
from app.api.schemas import (
    BatchDetailOut,
    BatchOut,
    BatchPage,
    CreateBatch,
    CreateEvent,
    EventOut,
    EventPage,
    UpdateBatch,
)
from app.domain.batches import BatchStatus, check_started_at, new_batch, new_event
from app.domain.errors import InvalidInput, NotFound
from app.domain.ids import is_ulid
from app.services.auth import Principal
from app.services.photos import PhotoObjects, photo_key
from app.store.batches import BatchChanges, BatchStore

PageSize = Annotated[int, QueryParameter(ge=1, le=100, description="items per page")]
Cursor = Annotated[str | None, QueryParameter(max_length=512, description="from `nextCursor`")]
StatusFilter = Annotated[BatchStatus | None, QueryParameter(description="only batches in it")]
PathId = FromPath[str]
Store = NamedDependency[BatchStore]
Caller = NamedDependency[Principal]
Flows = NamedDependency[ReminderFlows]
MaybePhotoObjects = NamedDependency[PhotoObjects | None]
EVENTS_IN_DETAIL = 100
T = TypeVar("T")


def _now() -> datetime:
    return datetime.now(UTC)


def _given(value: T | UnsetType | None) -> T | None:
    return None if value is UNSET or value is None else value


def _photo_release(
    objects: PhotoObjects | None, sub: str, batch_id: str
) -> Callable[[list[str]], None] | None:
    """Deletes the S3 objects of photos the batch sweep is about to remove."""
    if objects is None:
        return None
    return lambda photo_ids: objects.delete(photo_key(sub, batch_id, i) for i in photo_ids)


def _existing_id(value: str) -> str:
    """A malformed id can name no batch: answer as for any other unknown one."""
    if not is_ulid(value):
        raise NotFound("No such batch.")
    return value


class BatchController(Controller):
    path = "/batches"
    tags = ["batches"]  # noqa: RUF012 (Litestar reads these as class attributes)
    dependencies = {"principal": Provide(provide_principal, sync_to_thread=False)}  # noqa: RUF012

    @post(operation_id="createBatch", sync_to_thread=False)
    def create_batch(
        self,
        data: JSONBody[CreateBatch],
        principal: Caller,
        store: Store,
        reminder_flows: Flows,
        x_time_zone: DeviceZone = None,
    ) -> BatchWithSuggestionsOut:
        now = _now()
        zone = device_zone(x_time_zone)
        batch = new_batch(
            name=data.name,
            kind=data.kind,
            started_at=data.started_at,
            notes=data.notes,
            temperature_c=data.temperature_c,
            now=now,
            culture_id=data.culture_id,
        )
        store.create_batch(principal.sub, batch)
        suggestions = reminder_flows.suggest_for_new(principal.sub, batch, now, zone)
        return BatchWithSuggestionsOut.with_suggestions(batch, suggestions)

    @get(operation_id="listBatches", sync_to_thread=False)
    def list_batches(
        self,
        principal: Caller,
        store: Store,
        status: StatusFilter = None,
        limit: PageSize = 20,
        cursor: Cursor = None,
    ) -> BatchPage:
        page = store.list_batches(principal.sub, status=status, limit=limit, cursor=cursor)
        return BatchPage(items=[BatchOut.of(b) for b in page.items], next_cursor=page.next_cursor)

    @get("/{batch_id:str}", operation_id="getBatch", sync_to_thread=False)
    def get_batch(self, batch_id: PathId, principal: Caller, store: Store) -> BatchDetailOut:
        found = store.get_batch_with_events(principal.sub, _existing_id(batch_id), EVENTS_IN_DETAIL)
        return BatchDetailOut(
            **msgspec.structs.asdict(found.batch),
            events=[EventOut.of(e) for e in found.events],
            next_events_cursor=found.next_events_cursor,
        )

    @patch("/{batch_id:str}", operation_id="updateBatch", sync_to_thread=False)
    def update_batch(
        self,
        batch_id: PathId,
        data: JSONBody[UpdateBatch],
        principal: Caller,
        store: Store,
        reminder_flows: Flows,
    ) -> BatchOut:
        now = _now()
        if isinstance(data.started_at, datetime):
            check_started_at(data.started_at, now)
        name = _given(data.name)
        if name is not None and not name.strip():
            raise InvalidInput("name", "name cannot be blank.")
        changes = BatchChanges(
            name=name.strip() if name is not None else None,
            status=_given(data.status),
            started_at=_given(data.started_at),
            notes=_given(data.notes),
            temperature_c=_given(data.temperature_c),
            remove=frozenset(
                field
                for field in ("notes", "temperature_c", "culture_id")
                if getattr(data, field) is None
            ),
            public=_given(data.public),
            culture_id=_given(data.culture_id),
        )
        batch = store.update_batch(
            principal.sub, _existing_id(batch_id), data.version, changes, now
        )
        if changes.status in ("finished", "archived"):
            reminder_flows.cancel_all(principal.sub, batch.id, now)
        return BatchOut.of(batch)

    @delete(
        "/{batch_id:str}",
        operation_id="deleteBatch",
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=False,
    )
    def delete_batch(
        self,
        batch_id: PathId,
        principal: Caller,
        store: Store,
        reminder_flows: Flows,
        photo_objects: MaybePhotoObjects,
    ) -> None:
        reminder_flows.cancel_all(principal.sub, _existing_id(batch_id), _now())
        store.delete_batch(
            principal.sub,
            _existing_id(batch_id),
            release_photos=_photo_release(photo_objects, principal.sub, batch_id),
        )

    @post("/{batch_id:str}/events", operation_id="addEvent", sync_to_thread=False)
    def add_event(
        self, batch_id: PathId, data: JSONBody[CreateEvent], principal: Caller, store: Store
    ) -> EventOut:
        event = new_event(
            batch_id=_existing_id(batch_id),
            type=data.type,
            occurred_at=data.occurred_at,
            note=data.note,
            ph=data.ph,
            temperature_c=data.temperature_c,
            gravity=data.gravity,
            now=_now(),
        )
        store.add_event(principal.sub, event)
        return EventOut.of(event)

    @get("/{batch_id:str}/events", operation_id="listEvents", sync_to_thread=False)
    def list_events(
        self,
        batch_id: PathId,
        principal: Caller,
        store: Store,
        limit: PageSize = 50,
        cursor: Cursor = None,
    ) -> EventPage:
        page = store.list_events(principal.sub, _existing_id(batch_id), limit=limit, cursor=cursor)
        return EventPage(items=[EventOut.of(e) for e in page.items], next_cursor=page.next_cursor)

    @delete(
        "/{batch_id:str}/events/{event_id:str}",
        operation_id="deleteEvent",
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=False,
    )
    def delete_event(
        self, batch_id: PathId, event_id: PathId, principal: Caller, store: Store
    ) -> None:
        if not is_ulid(event_id):
            raise NotFound("No such event.")
        store.delete_event(principal.sub, _existing_id(batch_id), event_id)
