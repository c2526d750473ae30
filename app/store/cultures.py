"""The cultures and culture events of one user, in the single table.

A culture item (`CULTURE#<id>`) carries what its detail and stats need, kept in the same
transaction as each write that changes it: `feeds` (event id -> time) and `weights`
(event id -> time and grams) with each event, `made` (batch id -> name, kind, status,
start; app.store.batches) with each batch it made. Deleting an event or a batch removes
its entry, so the detail is one GetItem, never a read of the log or the batches. Its
lineage node (`LINEAGE#<id>`, app.store.lineage) is written in the same transaction as
the culture whenever a field it mirrors changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import msgspec
from botocore.exceptions import ClientError

from app.domain.batches import Batch
from app.domain.cultures import (
    OPEN_CULTURE_STATUSES,
    Culture,
    CultureEvent,
    CultureEventType,
    CultureKind,
    CultureOrigin,
    CultureStatus,
    MadeBatch,
    Weighing,
)
from app.domain.errors import AccountDeleted, AlreadyExists, InvalidCursor, NotFound
from app.domain.idempotency import Idempotency
from app.domain.ids import is_ulid
from app.store import keys
from app.store.conditional import (
    failed_conditions,
    put_new,
    stale_version,
    status_placeholders,
    status_values,
)
from app.store.deletions import not_deleted
from app.store.idempotency import Replay, claim, transact_claimed
from app.store.items import (
    Item,
    batch_from_item,
    get_ts,
    key,
    made_from_entry,
    n,
    opt_float,
    opt_str,
    s,
    tombstone_to_item,
    ts,
    with_change_keys,
)
from app.store.lineage import culture_unavailable, node_item, node_update
from app.store.pages import NOT_OURS, Page, decode_cursor, next_cursor, start_after
from app.store.table import delete_keys, partition_query, put_items, query_all

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        ConditionCheckTypeDef,
        TransactWriteItemTypeDef,
        UpdateTypeDef,
    )

CULTURE_CURSOR_FIELDS = ("SK", "GSI3SK")
EVENT_CURSOR_FIELDS = ("SK",)
# How many of a culture's newest batches its public page looks through for shared ones.
SHARED_BATCH_WINDOW = 50


class CultureRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A culture with what its stats read from the event log, and the batches it made
    (newest first)."""

    culture: Culture
    feeds: list[datetime]
    weights: list[Weighing]
    made: list[MadeBatch] = msgspec.field(default_factory=list)


class CultureWithEvents(msgspec.Struct, frozen=True, kw_only=True):
    record: CultureRecord
    events: list[CultureEvent]
    next_events_cursor: str | None


class CultureStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    def create(self, sub: str, culture: Culture, once: Idempotency | None = None) -> Culture:
        """The culture and its lineage node, together or not at all, and never for a
        deleted account (its token may still be valid). With an idempotency key (a pushed
        mutation) its record joins the transaction; a replay returns the first culture."""
        item = culture_to_item(sub, culture)
        items: list[TransactWriteItemTypeDef] = [
            put_new(self.table_name, item),
            put_new(self.table_name, node_item(sub, culture)),
            not_deleted(self.table_name, sub),
        ]
        try:
            if once is None:
                self.client.transact_write_items(TransactItems=items)
            else:
                items.append(claim(self.table_name, sub, once, item, culture.created_at))
                transact_claimed(self.client, items, once)
        except Replay as replay:
            return culture_from_item(replay.record)
        except ClientError as exc:
            failed = failed_conditions(exc)
            if 2 in failed:
                raise AccountDeleted("This account was deleted.") from None
            if 0 in failed or 1 in failed:  # a client-generated id (sync push) was taken
                raise AlreadyExists("A culture with this id exists.") from None
            raise
        return culture

    def get(self, sub: str, culture_id: str) -> CultureRecord:
        item = self.client.get_item(
            TableName=self.table_name,
            Key=_culture_key(sub, culture_id),
            ConsistentRead=True,
        ).get("Item")
        if item is None:
            raise NotFound("No such culture.")
        return record_from_item(item)

    def get_with_events(self, sub: str, culture_id: str, event_limit: int) -> CultureWithEvents:
        """The culture item sorts right before its events: one Query reads both."""
        response = self.client.query(
            TableName=self.table_name,
            KeyConditionExpression="PK = :pk AND SK BETWEEN :lo AND :hi",
            ExpressionAttributeValues={
                ":pk": s(keys.user_pk(sub)),
                ":lo": s(keys.culture_sk(culture_id)),
                ":hi": s(keys.culture_events_upper_bound(culture_id)),
            },
            Limit=event_limit + 1,
            ConsistentRead=True,
        )
        items = response["Items"]
        if not items or items[0]["SK"]["S"] != keys.culture_sk(culture_id):
            raise NotFound("No such culture.")
        return CultureWithEvents(
            record=record_from_item(items[0]),
            events=[culture_event_from_item(item) for item in items[1:]],
            next_events_cursor=next_cursor(response, EVENT_CURSOR_FIELDS),
        )

    def shared_batches(self, owner_sub: str, culture_id: str, limit: int) -> list[Batch]:
        """The culture's newest batches that are shared themselves (they carry GSI1PK),
        for its public page. One Query of a bounded window of its batches."""
        response = self.client.query(
            TableName=self.table_name,
            IndexName="GSI3",
            KeyConditionExpression="GSI3PK = :pk",
            FilterExpression="attribute_exists(GSI1PK)",
            ExpressionAttributeValues={
                ":pk": s(keys.culture_batches_gsi3pk(owner_sub, culture_id))
            },
            ScanIndexForward=False,
            Limit=SHARED_BATCH_WINDOW,
        )
        return [batch_from_item(item) for item in response["Items"][:limit]]

    def list_cultures(self, sub: str, *, limit: int, cursor: str | None) -> Page[Culture]:
        pk = keys.user_pk(sub)
        params: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": "GSI3",
            "KeyConditionExpression": "GSI3PK = :pk",
            "ExpressionAttributeValues": {":pk": s(keys.cultures_gsi3pk(sub))},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor is not None:
            start = decode_cursor(cursor, CULTURE_CURSOR_FIELDS)
            if not is_ulid(start["GSI3SK"]) or start["SK"] != keys.culture_sk(start["GSI3SK"]):
                raise InvalidCursor(NOT_OURS)
            params["ExclusiveStartKey"] = {
                "PK": s(pk),
                "GSI3PK": s(keys.cultures_gsi3pk(sub)),
                **{k: s(v) for k, v in start.items()},
            }
        response = self.client.query(**params)
        return Page(
            items=[culture_from_item(item) for item in response["Items"]],
            next_cursor=next_cursor(response, CULTURE_CURSOR_FIELDS),
        )

    def save_changes(
        self, sub: str, culture: Culture, expected_version: int, once: Idempotency | None = None
    ) -> bool:
        """Writes the edited fields of `culture` (built from the stored one) if the stored
        version is still `expected_version`, mirrors them onto the lineage node and moves
        the culture in the change feed. False: a replay of `once` (nothing written now)."""
        written = (*_EDITABLE, "GSI2PK", "GSI2SK")
        names = {f"#{a}": a for a in written} | {"#version": "version"}
        item = culture_to_item(sub, culture)
        values: dict[str, Any] = {f":{a}": item[a] for a in written if a in item}
        values[":expected"] = n(expected_version)
        sets = [f"#{a} = :{a}" for a in written if a in item]
        removes = [f"#{a}" for a in written if a not in item]
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        items: list[TransactWriteItemTypeDef] = [
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": _culture_key(sub, culture.id),
                    "UpdateExpression": expression,
                    "ConditionExpression": "attribute_exists(SK) AND #version = :expected",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
            {"Update": cast("UpdateTypeDef", node_update(self.table_name, culture))},
        ]
        try:
            if once is None:
                self.client.transact_write_items(TransactItems=items)
            else:
                items.append(claim(self.table_name, sub, once, {}, culture.updated_at))
                transact_claimed(self.client, items, once)
        except Replay:
            return False
        except ClientError as exc:
            raise _why_write_failed(exc, expected_version) from None
        return True

    def delete_keys_under(self, sub: str, culture_id: str) -> list[Item]:
        """Keys of the culture, its events, care reminders (with their status) and gift
        pointers (with their hashes)."""
        return query_all(
            self.client,
            partition_query(
                self.table_name,
                keys.user_pk(sub),
                begins_with=keys.culture_sk(culture_id),
                ProjectionExpression="PK, SK, entity, id, cultureId, codeHash, #status",
                ExpressionAttributeNames={"#status": "status"},
                ConsistentRead=True,
            ),
        )

    def bury(self, found: list[Item], now: datetime) -> None:
        """Tombstones (for sync) of the culture and events among `found`, written before
        they go, so an interrupted delete still tells every device what is gone."""
        synced = [i for i in found if i.get("entity", {}).get("S") in _SYNCED]
        put_items(self.client, self.table_name, [tombstone_to_item(i, now) for i in synced])

    def delete_items(self, item_keys: list[Item]) -> None:
        delete_keys(
            self.client, self.table_name, [{"PK": k["PK"], "SK": k["SK"]} for k in item_keys]
        )

    def add_event(
        self, sub: str, event: CultureEvent, once: Idempotency | None = None
    ) -> CultureEvent:
        """The event and its entry in the culture's stats, if the culture is open. With
        an idempotency key (a pushed mutation), a replay returns the first event."""
        item = culture_event_to_item(sub, event)
        items = [
            under_open_culture(self.table_name, sub, event.culture_id, event),
            put_new(self.table_name, item),
        ]
        try:
            if once is None:
                self.client.transact_write_items(TransactItems=items)
            else:
                items.append(claim(self.table_name, sub, once, item, event.created_at))
                transact_claimed(self.client, items, once)
        except Replay as replay:
            return culture_event_from_item(replay.record)
        except ClientError as exc:
            raise _why_event_write_failed(
                exc, taken="A culture event with this id exists."
            ) from None
        return event

    def delete_event(self, sub: str, culture_id: str, event_id: str, now: datetime) -> None:
        """The event, its entry in the stats and its tombstone (for sync), together."""
        event_key = key(keys.user_pk(sub), keys.culture_event_sk(culture_id, event_id))
        record = {
            **event_key,
            "entity": s("culture_event"),
            "id": s(event_id),
            "cultureId": s(culture_id),
        }
        names = {"#status": "status", "#eid": event_id}
        values: dict[str, Any] = status_values(OPEN_CULTURE_STATUSES)
        culture_item = self._culture_is_open(
            sub, culture_id, names, values, "REMOVE feeds.#eid, weights.#eid"
        )
        try:
            self.client.transact_write_items(
                TransactItems=[
                    culture_item,  # type: ignore[list-item]
                    {
                        "Delete": {
                            "TableName": self.table_name,
                            "Key": event_key,
                            "ConditionExpression": "attribute_exists(SK)",
                        }
                    },
                    {"Put": {"TableName": self.table_name, "Item": tombstone_to_item(record, now)}},
                ]
            )
        except ClientError as exc:
            raise _why_event_write_failed(exc, missing_event="No such event.") from None

    def list_events(
        self, sub: str, culture_id: str, *, limit: int, cursor: str | None
    ) -> Page[CultureEvent]:
        """Oldest first; the first page also reads the culture, to tell an empty log from
        a culture that is not there."""
        pk = keys.user_pk(sub)
        prefix = keys.culture_event_prefix(culture_id)
        params: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": {
                ":pk": s(pk),
                ":lo": s(keys.culture_sk(culture_id)),
                ":hi": s(keys.culture_events_upper_bound(culture_id)),
            },
            "Limit": limit + 1 if cursor is None else limit,
            "ConsistentRead": True,
        }
        if cursor is not None:
            params["ExclusiveStartKey"] = start_after(cursor, pk, prefix)
        response = self.client.query(**params)
        items = response["Items"]
        if cursor is None:
            if not items or items[0]["SK"]["S"] != keys.culture_sk(culture_id):
                raise NotFound("No such culture.")
            items = items[1:]
        return Page(
            items=[culture_event_from_item(item) for item in items],
            next_cursor=next_cursor(response, EVENT_CURSOR_FIELDS),
        )

    def culture_is_open(self, sub: str, culture_id: str) -> ConditionCheckTypeDef:
        """A transaction item that makes a write depend on the culture being open."""
        return cast(
            "ConditionCheckTypeDef",
            self._culture_is_open(
                sub, culture_id, {"#status": "status"}, status_values(OPEN_CULTURE_STATUSES), ""
            )["ConditionCheck"],
        )

    def _culture_is_open(
        self,
        sub: str,
        culture_id: str,
        names: dict[str, str],
        values: dict[str, Any],
        update_expression: str,
    ) -> dict[str, Any]:
        """An Update of the culture when the event changes its stats, else a ConditionCheck;
        either fails (returning the culture) unless the culture is open."""
        body: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": _culture_key(sub, culture_id),
            "ConditionExpression": f"#status IN ({status_placeholders(OPEN_CULTURE_STATUSES)})",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if not update_expression:
            names.pop("#eid", None)
            return {"ConditionCheck": body}
        body["UpdateExpression"] = update_expression
        return {"Update": body}


def under_open_culture(
    table_name: str, sub: str, culture_id: str, event: CultureEvent | None = None
) -> TransactWriteItemTypeDef:
    """A transaction's first item for a write under the culture (logging `event`, a care
    reminder's change): it fails (with the culture as it was) unless the culture is
    open, and writes the event's entry in its stats (a feed's time, a weighing) when it
    has one."""
    names: dict[str, str] = {"#status": "status"}
    values: dict[str, Any] = status_values(OPEN_CULTURE_STATUSES)
    body: dict[str, Any] = {
        "TableName": table_name,
        "Key": _culture_key(sub, culture_id),
        "ConditionExpression": f"#status IN ({status_placeholders(OPEN_CULTURE_STATUSES)})",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    if event is None:
        return {"ConditionCheck": cast("ConditionCheckTypeDef", body)}
    if event.type == "feed":
        body["UpdateExpression"] = "SET feeds.#eid = :at"
        values[":at"] = ts(event.occurred_at)
    elif event.type == "weigh" and event.grams is not None:
        body["UpdateExpression"] = "SET weights.#eid = :w"
        values[":w"] = {"M": {"at": ts(event.occurred_at), "grams": n(event.grams)}}
    else:
        return {"ConditionCheck": cast("ConditionCheckTypeDef", body)}
    names["#eid"] = event.id
    return {"Update": cast("UpdateTypeDef", body)}


# --- items -----------------------------------------------------------------------------

# What a PATCH may change (attribute names); everything else is fixed at birth.
_EDITABLE = (
    "name", "kind", "status", "acquiredAt", "origin", "notes", "public", "updatedAt", "version",
)  # fmt: skip


def _culture_key(sub: str, culture_id: str) -> Item:
    return key(keys.user_pk(sub), keys.culture_sk(culture_id))


# The entities of a culture's range that sync carries (tombstoned when deleted).
_SYNCED = ("culture", "culture_event", "reminder")


def culture_to_item(sub: str, culture: Culture) -> Item:
    item: Item = {
        "PK": s(keys.user_pk(sub)),
        "SK": s(keys.culture_sk(culture.id)),
        "GSI3PK": s(keys.cultures_gsi3pk(sub)),
        "GSI3SK": s(culture.id),
        "entity": s("culture"),
        "id": s(culture.id),
        "name": s(culture.name),
        "kind": s(culture.kind),
        "status": s(culture.status),
        "acquiredAt": ts(culture.acquired_at),
        "origin": s(culture.origin),
        "generation": n(culture.generation),
        "ancestors": {"L": [s(a) for a in culture.ancestors]},
        "public": {"BOOL": culture.public},
        "createdAt": ts(culture.created_at),
        "updatedAt": ts(culture.updated_at),
        "version": n(culture.version),
        "feeds": {"M": {}},
        "weights": {"M": {}},
        "made": {"M": {}},
    }
    if culture.notes is not None:
        item["notes"] = s(culture.notes)
    if culture.parent_id is not None:
        item["parentId"] = s(culture.parent_id)
    return with_change_keys(item, culture.updated_at)


def culture_from_item(item: Item) -> Culture:
    return Culture(
        id=item["id"]["S"],
        name=item["name"]["S"],
        kind=cast(CultureKind, item["kind"]["S"]),
        status=cast(CultureStatus, item["status"]["S"]),
        acquired_at=get_ts(item, "acquiredAt"),
        origin=cast(CultureOrigin, item["origin"]["S"]),
        notes=opt_str(item, "notes"),
        parent_id=opt_str(item, "parentId"),
        generation=int(item["generation"]["N"]),
        ancestors=tuple(a["S"] for a in item.get("ancestors", {}).get("L", [])),
        created_at=get_ts(item, "createdAt"),
        updated_at=get_ts(item, "updatedAt"),
        version=int(item["version"]["N"]),
        public=bool(item.get("public", {}).get("BOOL", False)),
    )


def record_from_item(item: Item) -> CultureRecord:
    feeds = item.get("feeds", {}).get("M", {})
    weights = item.get("weights", {}).get("M", {})
    made = item.get("made", {}).get("M", {})
    return CultureRecord(
        culture=culture_from_item(item),
        feeds=[datetime.fromisoformat(v["S"]) for v in feeds.values()],
        weights=[
            Weighing(
                at=datetime.fromisoformat(v["M"]["at"]["S"]), grams=float(v["M"]["grams"]["N"])
            )
            for v in weights.values()
        ],
        made=sorted(
            (made_from_entry(batch_id, entry) for batch_id, entry in made.items()),
            key=lambda b: b.id,
            reverse=True,
        ),
    )


def culture_event_to_item(sub: str, event: CultureEvent) -> Item:
    item: Item = {
        "PK": s(keys.user_pk(sub)),
        "SK": s(keys.culture_event_sk(event.culture_id, event.id)),
        "entity": s("culture_event"),
        "id": s(event.id),
        "cultureId": s(event.culture_id),
        "type": s(event.type),
        "occurredAt": ts(event.occurred_at),
        "createdAt": ts(event.created_at),
        # Events never change: their change time is when they were stored.
        "updatedAt": ts(event.created_at),
        "version": n(1),
    }
    if event.note is not None:
        item["note"] = s(event.note)
    if event.grams is not None:
        item["grams"] = n(event.grams)
    return with_change_keys(item, event.created_at)


def culture_event_from_item(item: Item) -> CultureEvent:
    return CultureEvent(
        id=item["id"]["S"],
        culture_id=item["cultureId"]["S"],
        type=cast(CultureEventType, item["type"]["S"]),
        occurred_at=get_ts(item, "occurredAt"),
        note=opt_str(item, "note"),
        grams=opt_float(item, "grams"),
        created_at=get_ts(item, "createdAt"),
    )


def _why_write_failed(exc: ClientError, expected_version: int) -> Exception:
    failed = failed_conditions(exc)
    if 0 not in failed:
        return exc
    old = failed[0]
    if old is None:
        return NotFound("No such culture.")
    return stale_version("culture", expected_version, int(old["version"]["N"]))


def _why_event_write_failed(
    exc: ClientError, missing_event: str = "", taken: str = ""
) -> Exception:
    failed = failed_conditions(exc)
    if 0 in failed:
        return culture_unavailable(failed[0], "its event log can no longer change")
    if missing_event and 1 in failed:
        return NotFound(missing_event)
    if taken and 1 in failed:  # a client-generated id (sync push) was taken
        return AlreadyExists(taken)
    return exc
