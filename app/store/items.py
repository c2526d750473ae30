"""Struct <-> DynamoDB item mapping in the low-level attribute-value format.

The low-level client is used rather than the resource API: numbers arrive as strings
and become floats here, with no Decimal leaking upwards and no generic
(de)serializer on the hot path.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from app.domain.batches import Batch, BatchKind, BatchStatus, Event, EventType
from app.store import keys

Item = dict[str, Any]


def s(value: str) -> dict[str, str]:
    return {"S": value}


def n(value: float | int) -> dict[str, str]:
    return {"N": repr(value) if isinstance(value, float) else str(value)}


def ts(value: datetime) -> dict[str, str]:
    return {"S": value.astimezone(UTC).isoformat().replace("+00:00", "Z")}


def opt_str(item: Item, name: str) -> str | None:
    value = item.get(name)
    return None if value is None else cast(str, value["S"])


def opt_float(item: Item, name: str) -> float | None:
    value = item.get(name)
    return None if value is None else float(value["N"])


def get_ts(item: Item, name: str) -> datetime:
    return datetime.fromisoformat(item[name]["S"])


def batch_to_item(sub: str, batch: Batch) -> Item:
    item: Item = {
        "PK": s(keys.user_pk(sub)),
        "SK": s(keys.batch_sk(batch.id)),
        "LSI1SK": s(batch.id),
        "entity": s("batch"),
        "id": s(batch.id),
        "name": s(batch.name),
        "kind": s(batch.kind),
        "status": s(batch.status),
        "startedAt": ts(batch.started_at),
        "createdAt": ts(batch.created_at),
        "updatedAt": ts(batch.updated_at),
        "version": n(batch.version),
    }
    if batch.notes is not None:
        item["notes"] = s(batch.notes)
    if batch.temperature_c is not None:
        item["temperatureC"] = n(batch.temperature_c)
    if batch.public:
        item["GSI1PK"] = s(keys.public_pk(batch.id))
        item["GSI1SK"] = s(keys.PUBLIC_SK)
    return item


def batch_from_item(item: Item) -> Batch:
    return Batch(
        id=item["id"]["S"],
        name=item["name"]["S"],
        kind=cast(BatchKind, item["kind"]["S"]),
        status=cast(BatchStatus, item["status"]["S"]),
        started_at=get_ts(item, "startedAt"),
        notes=opt_str(item, "notes"),
        temperature_c=opt_float(item, "temperatureC"),
        created_at=get_ts(item, "createdAt"),
        updated_at=get_ts(item, "updatedAt"),
        version=int(item["version"]["N"]),
        public="GSI1PK" in item,
    )


def event_to_item(sub: str, event: Event) -> Item:
    item: Item = {
        "PK": s(keys.user_pk(sub)),
        "SK": s(keys.event_sk(event.batch_id, event.id)),
        "entity": s("event"),
        "id": s(event.id),
        "batchId": s(event.batch_id),
        "type": s(event.type),
        "occurredAt": ts(event.occurred_at),
        "createdAt": ts(event.created_at),
        "version": n(1),
    }
    if event.note is not None:
        item["note"] = s(event.note)
    for name, value in (
        ("ph", event.ph),
        ("temperatureC", event.temperature_c),
        ("gravity", event.gravity),
    ):
        if value is not None:
            item[name] = n(value)
    return item


def event_from_item(item: Item) -> Event:
    return Event(
        id=item["id"]["S"],
        batch_id=item["batchId"]["S"],
        type=cast(EventType, item["type"]["S"]),
        occurred_at=get_ts(item, "occurredAt"),
        note=opt_str(item, "note"),
        ph=opt_float(item, "ph"),
        temperature_c=opt_float(item, "temperatureC"),
        gravity=opt_float(item, "gravity"),
        created_at=get_ts(item, "createdAt"),
    )
