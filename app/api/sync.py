"""Routes for offline sync: pull what changed, push what a device did offline."""

import re
from datetime import datetime
from typing import Annotated, Any, TypeVar

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK

from app.api.batches import batch_changes
from app.api.cultures import culture_edit
from app.api.errors import invalid_fields, problem_of
from app.api.openapi import BEARER, contract
from app.api.params import Caller, Cursor
from app.api.schemas.batches import BatchOut, CreateBatch, CreateEvent, UpdateBatch
from app.api.schemas.cultures import CreateCulture, CreateCultureEvent, CultureOut, UpdateCulture
from app.api.schemas.sync import (
    MutationIn,
    MutationResult,
    PushIn,
    PushOut,
    SyncPage,
    culture_event_out,
    event_out,
)
from app.domain.batches import Batch, Event, new_batch, new_event
from app.domain.clock import utc_now
from app.domain.cultures import Culture, CultureEvent, new_culture, new_culture_event
from app.domain.errors import InvalidInput
from app.domain.idempotency import Idempotency, fingerprint
from app.domain.ids import is_ulid
from app.usecases import sync as commands
from app.usecases.sync import Mutation, Outcome, Sync

SyncPageSize = Annotated[int, QueryParameter(ge=1, le=1000, description="records per page")]
_encoder = msgspec.json.Encoder()
T = TypeVar("T")


class SyncController(Controller):
    path = "/sync"
    tags = ["sync"]  # noqa: RUF012 (Litestar reads these as class attributes)
    security = BEARER

    @get(operation_id="pullChanges", sync_to_thread=False, **contract(400, 401))
    def pull(
        self,
        principal: Caller,
        sync: NamedDependency[Sync],
        cursor: Cursor = None,
        limit: SyncPageSize = 500,
    ) -> SyncPage:
        """Every record of the caller changed after `cursor`; no cursor: all of them."""
        page = sync.pull(principal.sub, cursor=cursor, limit=limit, now=utc_now())
        return SyncPage.of(page)

    @post(
        "/push",
        operation_id="pushMutations",
        status_code=HTTP_200_OK,
        sync_to_thread=False,
        **contract(400, 401, 413),
    )
    def push(
        self, data: JSONBody[PushIn], principal: Caller, sync: NamedDependency[Sync]
    ) -> PushOut:
        """Apply a device's queued writes in order, each at most once; one result each."""
        now = utc_now()
        parsed: list[Mutation | MutationResult] = []
        for mutation in data.mutations:
            try:
                parsed.append(_command(mutation, now))
            except InvalidInput as exc:
                problem = invalid_fields(exc.field, exc.detail, mutation.mutation_id)
                parsed.append(MutationResult(mutation.mutation_id, "rejected", problem=problem))
        valid = [p for p in parsed if not isinstance(p, MutationResult)]
        outcomes = iter(sync.push(principal.sub, valid, now))
        results = [
            p if isinstance(p, MutationResult) else _result(m.mutation_id, next(outcomes))
            for m, p in zip(data.mutations, parsed, strict=True)
        ]
        return PushOut(results=results)


def _command(mutation: MutationIn, now: datetime) -> Mutation:
    """A mutation as a use-case command, validated as its REST route validates a body."""
    once = Idempotency(f"push:{mutation.mutation_id}", fingerprint(_encoder.encode(mutation)))
    fields = dict(mutation.fields)
    match (mutation.entity, mutation.op):
        case ("batch", "create"):
            body = _convert(fields, CreateBatch)
            batch = new_batch(
                name=body.name,
                kind=body.kind,
                started_at=body.started_at,
                notes=body.notes,
                temperature_c=body.temperature_c,
                now=now,
            )
            return commands.CreateBatch(once, msgspec.structs.replace(batch, id=mutation.id))
        case ("batch", "update"):
            if mutation.base_version is None:
                raise InvalidInput("baseVersion", "An update needs the baseVersion it edited.")
            update = _convert({**fields, "version": mutation.base_version}, UpdateBatch)
            changes = batch_changes(update)
            return commands.UpdateBatch(once, mutation.id, mutation.base_version, changes)
        case ("batch", "delete"):
            return commands.DeleteBatch(once, mutation.id)
        case ("event", "create"):
            batch_id = _batch_id(fields.pop("batchId", None))
            logged = _convert(fields, CreateEvent)
            event = new_event(
                batch_id=batch_id,
                type=logged.type,
                occurred_at=logged.occurred_at,
                note=logged.note,
                ph=logged.ph,
                temperature_c=logged.temperature_c,
                gravity=logged.gravity,
                now=now,
            )
            return commands.CreateEvent(once, msgspec.structs.replace(event, id=mutation.id))
        case ("event", "delete"):
            return commands.DeleteEvent(once, _batch_id(fields.get("batchId")), mutation.id)
        case ("event" | "cultureEvent", "update"):
            raise InvalidInput("op", "Events are append-only: delete one and create another.")
        case ("culture", _):
            return _culture_command(mutation, once, fields, now)
        case ("cultureEvent", _):
            return _culture_event_command(mutation, once, fields, now)
    raise InvalidInput(
        "entity",
        f"Push takes batch, event, culture and cultureEvent mutations; {mutation.entity!r} "
        "goes through its route.",
    )


def _culture_command(
    mutation: MutationIn, once: Idempotency, fields: dict[str, Any], now: datetime
) -> Mutation:
    if mutation.op == "create":
        body = _convert(fields, CreateCulture)
        culture = new_culture(
            name=body.name,
            kind=body.kind,
            acquired_at=body.acquired_at,
            origin=body.origin,
            notes=body.notes,
            public=body.public,
            now=now,
        )
        return commands.CreateCulture(once, msgspec.structs.replace(culture, id=mutation.id))
    if mutation.op == "update":
        if mutation.base_version is None:
            raise InvalidInput("baseVersion", "An update needs the baseVersion it edited.")
        update = _convert({**fields, "version": mutation.base_version}, UpdateCulture)
        return commands.UpdateCulture(
            once, mutation.id, mutation.base_version, culture_edit(update)
        )
    return commands.DeleteCulture(once, mutation.id)


def _culture_event_command(
    mutation: MutationIn, once: Idempotency, fields: dict[str, Any], now: datetime
) -> Mutation:
    culture_id = _parent_id(fields.pop("cultureId", None), "cultureId", "culture")
    if mutation.op == "delete":
        return commands.DeleteCultureEvent(once, culture_id, mutation.id)
    logged = _convert(fields, CreateCultureEvent)
    event = new_culture_event(
        culture_id=culture_id,
        type=logged.type,
        occurred_at=logged.occurred_at,
        note=logged.note,
        grams=logged.grams,
        now=now,
    )
    return commands.CreateCultureEvent(once, msgspec.structs.replace(event, id=mutation.id))


def _convert(fields: dict[str, Any], schema: type[T]) -> T:
    try:
        return msgspec.convert(fields, schema)
    except msgspec.ValidationError as exc:
        path = re.search(r"at `\$\.?([^`]*)`", str(exc))
        field = f"fields.{path.group(1)}" if path and path.group(1) else "fields"
        raise InvalidInput(field, str(exc)) from None


def _batch_id(value: object) -> str:
    return _parent_id(value, "batchId", "batch")


def _parent_id(value: object, field: str, parent: str) -> str:
    if not isinstance(value, str) or not is_ulid(value):
        raise InvalidInput(f"fields.{field}", f"An event mutation names its {parent} ({field}).")
    return value


def _result(mutation_id: str, outcome: Outcome) -> MutationResult:
    record = outcome.record
    return MutationResult(
        mutation_id=mutation_id,
        status=outcome.status,
        batch=BatchOut.of(record) if isinstance(record, Batch) else None,
        event=event_out(record) if isinstance(record, Event) else None,
        culture=CultureOut.of(record) if isinstance(record, Culture) else None,
        culture_event=culture_event_out(record) if isinstance(record, CultureEvent) else None,
        problem=problem_of(outcome.error, mutation_id) if outcome.error is not None else None,
    )
