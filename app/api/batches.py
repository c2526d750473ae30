"""Routes for a user's batches and their event logs."""

from typing import Annotated, TypeVar

import msgspec
from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from msgspec import UNSET, UnsetType

from app.api.etags import IfNoneMatch, conditional, version_tag
from app.api.headers import DeviceZone, IdempotencyKey, device_zone, idempotency
from app.api.openapi import BEARER, ETAG, LOCATION, contract
from app.api.params import Caller, Cursor, PathId, known_id
from app.api.schemas.batches import (
    BatchDetailOut,
    BatchOut,
    BatchPage,
    CreateBatch,
    CreateEvent,
    EventOut,
    EventPage,
    UpdateBatch,
)
from app.api.schemas.reminders import BatchWithSuggestionsOut
from app.domain.batches import BatchStatus, new_batch, new_event
from app.domain.clock import utc_now
from app.usecases.batches import BatchChanges, Batches

PageSize = Annotated[int, QueryParameter(ge=1, le=100, description="items per page")]
StatusFilter = Annotated[BatchStatus | None, QueryParameter(description="only batches in it")]
T = TypeVar("T")


def _given(value: T | UnsetType | None) -> T | None:
    return None if value is UNSET or value is None else value


def batch_changes(data: UpdateBatch) -> BatchChanges:
    """What a PATCH body (or a pushed batch update) changes."""
    return BatchChanges(
        name=_given(data.name),
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


class BatchController(Controller):
    path = "/batches"
    tags = ["batches"]  # noqa: RUF012 (Litestar reads these as class attributes)
    security = BEARER

    @post(
        operation_id="createBatch",
        sync_to_thread=False,
        # 404: a `cultureId` that is not one of the caller's cultures.
        **contract(400, 401, 404, 409, 413, 422, headers=(LOCATION,)),
    )
    def create_batch(
        self,
        data: JSONBody[CreateBatch],
        principal: Caller,
        batches: NamedDependency[Batches],
        x_time_zone: DeviceZone = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[BatchWithSuggestionsOut]:
        now = utc_now()
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
        retry = idempotency(idempotency_key, "POST /batches", msgspec.json.encode(data))
        created = batches.create(principal.sub, batch, now, zone, retry)
        return Response(
            BatchWithSuggestionsOut.with_suggestions(created.batch, created.suggestions),
            status_code=HTTP_201_CREATED,
            headers={"Location": f"/batches/{created.batch.id}"},
        )

    @get(
        operation_id="listBatches",
        sync_to_thread=False,
        **contract(400, 401),
    )
    def list_batches(
        self,
        principal: Caller,
        batches: NamedDependency[Batches],
        status: StatusFilter = None,
        limit: PageSize = 20,
        cursor: Cursor = None,
    ) -> BatchPage:
        page = batches.list_batches(principal.sub, status=status, limit=limit, cursor=cursor)
        return BatchPage(items=[BatchOut.of(b) for b in page.items], next_cursor=page.next_cursor)

    @get(
        "/{batch_id:str}",
        operation_id="getBatch",
        sync_to_thread=False,
        **contract(400, 401, 404, headers=(ETAG,), also={304: None}),
    )
    def get_batch(
        self,
        batch_id: PathId,
        principal: Caller,
        batches: NamedDependency[Batches],
        if_none_match: IfNoneMatch = None,
    ) -> Response[BatchDetailOut]:
        """`ETag`: the batch's version and its first events; `If-None-Match` -> 304."""
        found = batches.detail(principal.sub, known_id(batch_id, "batch"))
        event_ids = [e.id for e in found.events]
        tag = version_tag(found.batch.version, *event_ids, found.next_events_cursor or "")
        detail = BatchDetailOut(
            **msgspec.structs.asdict(found.batch),
            events=[EventOut.of(e) for e in found.events],
            next_events_cursor=found.next_events_cursor,
        )
        return conditional(detail, tag, if_none_match)

    @patch(
        "/{batch_id:str}",
        operation_id="updateBatch",
        sync_to_thread=False,
        **contract(400, 401, 404, 409, 413),
    )
    def update_batch(
        self,
        batch_id: PathId,
        data: JSONBody[UpdateBatch],
        principal: Caller,
        batches: NamedDependency[Batches],
    ) -> BatchOut:
        changes = batch_changes(data)
        batch = batches.update(
            principal.sub, known_id(batch_id, "batch"), data.version, changes, utc_now()
        )
        return BatchOut.of(batch)

    @delete(
        "/{batch_id:str}",
        operation_id="deleteBatch",
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=False,
        **contract(401, 404),
    )
    def delete_batch(
        self, batch_id: PathId, principal: Caller, batches: NamedDependency[Batches]
    ) -> None:
        batches.delete(principal.sub, known_id(batch_id, "batch"), utc_now())

    @post(
        "/{batch_id:str}/events",
        operation_id="addEvent",
        sync_to_thread=False,
        **contract(400, 401, 404, 409, 413, 422),
    )
    def add_event(
        self,
        batch_id: PathId,
        data: JSONBody[CreateEvent],
        principal: Caller,
        batches: NamedDependency[Batches],
        idempotency_key: IdempotencyKey = None,
    ) -> EventOut:
        batch_id = known_id(batch_id, "batch")
        event = new_event(
            batch_id=batch_id,
            type=data.type,
            occurred_at=data.occurred_at,
            note=data.note,
            ph=data.ph,
            temperature_c=data.temperature_c,
            gravity=data.gravity,
            now=utc_now(),
        )
        route = f"POST /batches/{batch_id}/events"
        retry = idempotency(idempotency_key, route, msgspec.json.encode(data))
        return EventOut.of(batches.add_event(principal.sub, event, retry))

    @get(
        "/{batch_id:str}/events",
        operation_id="listEvents",
        sync_to_thread=False,
        **contract(400, 401, 404),
    )
    def list_events(
        self,
        batch_id: PathId,
        principal: Caller,
        batches: NamedDependency[Batches],
        limit: PageSize = 50,
        cursor: Cursor = None,
    ) -> EventPage:
        page = batches.list_events(
            principal.sub, known_id(batch_id, "batch"), limit=limit, cursor=cursor
        )
        return EventPage(items=[EventOut.of(e) for e in page.items], next_cursor=page.next_cursor)

    @delete(
        "/{batch_id:str}/events/{event_id:str}",
        operation_id="deleteEvent",
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=False,
        **contract(401, 404, 409),
    )
    def delete_event(
        self,
        batch_id: PathId,
        event_id: PathId,
        principal: Caller,
        batches: NamedDependency[Batches],
    ) -> None:
        event_id = known_id(event_id, "event")
        batches.delete_event(principal.sub, known_id(batch_id, "batch"), event_id, utc_now())
