"""The batches and events of one user, in the single table.

Each method is one access pattern from `app.store.keys` and, except deleting a whole
batch, one DynamoDB call: conditions on the write do the checking, so a check and
the write it guards can never be split by another writer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import msgspec
from botocore.exceptions import ClientError

from app.aws_errors import error_code
from app.domain.batches import (
    OPEN_STATUSES,
    Batch,
    BatchStatus,
    Event,
    statuses_allowed_before,
)
from app.domain.errors import BatchClosed, InvalidCursor, InvalidTransition, NotFound, StaleVersion
from app.domain.ids import is_ulid
from app.store import keys
from app.store.conditional import (
    ConditionFailed,
    status_placeholders,
    status_values,
    update_or_old,
)
from app.store.cursor import decode_cursor, encode_cursor
from app.store.items import (
    Item,
    batch_from_item,
    batch_to_item,
    event_from_item,
    event_to_item,
    n,
    s,
    ts,
)
from app.store.partition import delete_keys, query_all

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import ConditionCheckTypeDef

BATCH_CURSOR_FIELDS = ("SK", "LSI1SK")
EVENT_CURSOR_FIELDS = ("SK",)


T = TypeVar("T")


class Page(msgspec.Struct, Generic[T], frozen=True):
    items: list[T]
    next_cursor: str | None


class BatchWithEvents(msgspec.Struct, frozen=True):
    batch: Batch
    events: list[Event]
    next_events_cursor: str | None


class BatchChanges(msgspec.Struct, kw_only=True, frozen=True):
    """Fields a PATCH sets; `remove` names optional fields set back to empty."""

    name: str | None = None
    status: BatchStatus | None = None
    started_at: datetime | None = None
    notes: str | None = None
    temperature_c: float | None = None
    remove: frozenset[str] = frozenset()
    # True sets the sparse GSI1 key (sharing on), False removes it, None leaves it.
    public: bool | None = None


_CHANGE_ATTRIBUTES = {
    "name": "name",
    "status": "status",
    "started_at": "startedAt",
    "notes": "notes",
    "temperature_c": "temperatureC",
}


class BatchStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    def create_batch(self, sub: str, batch: Batch) -> None:
        self.client.put_item(
            TableName=self.table_name,
            Item=batch_to_item(sub, batch),
            ConditionExpression="attribute_not_exists(SK)",
        )

    def get_batch_with_events(self, sub: str, batch_id: str, event_limit: int) -> BatchWithEvents:
        response = self.client.query(
            TableName=self.table_name,
            KeyConditionExpression="PK = :pk AND SK BETWEEN :lo AND :hi",
            ExpressionAttributeValues={
                ":pk": s(keys.user_pk(sub)),
                ":lo": s(keys.batch_sk(batch_id)),
                ":hi": s(keys.events_upper_bound(batch_id)),
            },
            Limit=event_limit + 1,
            ConsistentRead=True,
        )
        items = response["Items"]
        if not items or items[0]["SK"]["S"] != keys.batch_sk(batch_id):
            raise NotFound("No such batch.")
        last_key = response.get("LastEvaluatedKey")
        return BatchWithEvents(
            batch=batch_from_item(items[0]),
            events=[event_from_item(item) for item in items[1:]],
            next_events_cursor=encode_cursor(last_key, EVENT_CURSOR_FIELDS) if last_key else None,
        )

    def list_batches(
        self, sub: str, *, status: BatchStatus | None, limit: int, cursor: str | None
    ) -> Page[Batch]:
        """Newest first. With a status filter a page may hold fewer than `limit` batches
        (the filter applies after the read); `next_cursor` says whether more may follow."""
        pk = keys.user_pk(sub)
        params: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": "LSI1",
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": s(pk)},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if status is not None:
            params["FilterExpression"] = "#status = :status"
            params["ExpressionAttributeNames"] = {"#status": "status"}
            params["ExpressionAttributeValues"][":status"] = s(status)
        if cursor is not None:
            start = decode_cursor(cursor, BATCH_CURSOR_FIELDS)
            if not is_ulid(start["LSI1SK"]) or start["SK"] != keys.batch_sk(start["LSI1SK"]):
                raise InvalidCursor("The cursor is not one this API issued.")
            params["ExclusiveStartKey"] = {"PK": s(pk), **{k: s(v) for k, v in start.items()}}
        response = self.client.query(**params)
        last_key = response.get("LastEvaluatedKey")
        return Page(
            items=[batch_from_item(item) for item in response["Items"]],
            next_cursor=encode_cursor(last_key, BATCH_CURSOR_FIELDS) if last_key else None,
        )

    def update_batch(
        self, sub: str, batch_id: str, expected_version: int, changes: BatchChanges, now: datetime
    ) -> Batch:
        names: dict[str, str] = {"#version": "version"}
        values: dict[str, Any] = {
            ":expected": n(expected_version),
            ":one": n(1),
            ":now": ts(now),
        }
        sets = ["#version = #version + :one", "updatedAt = :now"]
        for field, attribute in _CHANGE_ATTRIBUTES.items():
            value = getattr(changes, field)
            if value is None:
                continue
            names[f"#{attribute}"] = attribute
            values[f":{attribute}"] = _attribute_value(value)
            sets.append(f"#{attribute} = :{attribute}")
        if changes.public is True:
            values[":gsi1pk"] = s(keys.public_pk(batch_id))
            values[":gsi1sk"] = s(keys.PUBLIC_SK)
            sets += ["GSI1PK = :gsi1pk", "GSI1SK = :gsi1sk"]
        expression = "SET " + ", ".join(sets)
        removes = [f"#{_CHANGE_ATTRIBUTES[field]}" for field in sorted(changes.remove)]
        for field in changes.remove:
            names[f"#{_CHANGE_ATTRIBUTES[field]}"] = _CHANGE_ATTRIBUTES[field]
        if changes.public is False:
            removes += ["GSI1PK", "GSI1SK"]
        if removes:
            expression += " REMOVE " + ", ".join(removes)
        condition = "attribute_exists(SK) AND #version = :expected"
        if changes.status is not None:
            allowed = statuses_allowed_before(changes.status)
            names["#status"] = "status"
            values.update(status_values(allowed))
            condition += f" AND #status IN ({status_placeholders(allowed)})"
        try:
            item = update_or_old(
                self.client,
                TableName=self.table_name,
                Key={"PK": s(keys.user_pk(sub)), "SK": s(keys.batch_sk(batch_id))},
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ConditionFailed as failed:
            raise _why_update_failed(failed.old, expected_version, changes) from None
        return batch_from_item(item)

    def delete_batch(
        self,
        sub: str,
        batch_id: str,
        release_photos: Callable[[list[str]], None] | None = None,
    ) -> None:
        """Deletes the batch item first: from then on no event can be added under it
        (adding checks the batch exists), so one sweep of what is left is complete.
        A sweep interrupted halfway is finished by the next call.

        `release_photos` gets the ids of photo items before they are deleted (their
        objects go first), so a failure in between leaves the items for the retry."""
        pk = keys.user_pk(sub)
        children = self._keys_under_batch(pk, batch_id)
        if not children:
            raise NotFound("No such batch.")
        batch_key = {"PK": s(pk), "SK": s(keys.batch_sk(batch_id))}
        self.client.delete_item(TableName=self.table_name, Key=batch_key)
        remaining = [k for k in children if k["SK"] != batch_key["SK"]]
        while remaining:
            if release_photos is not None:
                prefix = keys.photo_prefix(batch_id)
                photo_keys = (k["SK"]["S"] for k in remaining)
                photo_ids = [sk[len(prefix) :] for sk in photo_keys if sk.startswith(prefix)]
                if photo_ids:
                    release_photos(photo_ids)
            delete_keys(self.client, self.table_name, remaining)
            remaining = self._keys_under_batch(pk, batch_id)

    def add_event(self, sub: str, event: Event) -> None:
        pk = keys.user_pk(sub)
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {"ConditionCheck": self._batch_is_open(pk, event.batch_id)},
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": event_to_item(sub, event),
                            "ConditionExpression": "attribute_not_exists(SK)",
                        }
                    },
                ]
            )
        except ClientError as exc:
            raise _why_event_write_failed(exc) from None

    def list_events(
        self, sub: str, batch_id: str, *, limit: int, cursor: str | None
    ) -> Page[Event]:
        """Oldest first. The batch item sorts right before its events, so the first page
        reads it too and tells an empty log from a batch that is not there."""
        pk = keys.user_pk(sub)
        prefix = keys.event_prefix(batch_id)
        params: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": {
                ":pk": s(pk),
                ":lo": s(keys.batch_sk(batch_id)),
                ":hi": s(keys.events_upper_bound(batch_id)),
            },
            "Limit": limit + 1 if cursor is None else limit,
            "ConsistentRead": True,
        }
        if cursor is not None:
            start = decode_cursor(cursor, EVENT_CURSOR_FIELDS)
            if not start["SK"].startswith(prefix) or not is_ulid(start["SK"][len(prefix) :]):
                raise InvalidCursor("The cursor is not one this API issued.")
            params["ExclusiveStartKey"] = {"PK": s(pk), "SK": s(start["SK"])}
        response = self.client.query(**params)
        items = response["Items"]
        if cursor is None:
            if not items or items[0]["SK"]["S"] != keys.batch_sk(batch_id):
                raise NotFound("No such batch.")
            items = items[1:]
        last_key = response.get("LastEvaluatedKey")
        return Page(
            items=[event_from_item(item) for item in items],
            next_cursor=encode_cursor(last_key, EVENT_CURSOR_FIELDS) if last_key else None,
        )

    def delete_event(self, sub: str, batch_id: str, event_id: str) -> None:
        pk = keys.user_pk(sub)
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {"ConditionCheck": self._batch_is_open(pk, batch_id)},
                    {
                        "Delete": {
                            "TableName": self.table_name,
                            "Key": {"PK": s(pk), "SK": s(keys.event_sk(batch_id, event_id))},
                            "ConditionExpression": "attribute_exists(SK)",
                        }
                    },
                ]
            )
        except ClientError as exc:
            raise _why_event_write_failed(exc, missing_event="No such event.") from None

    def _batch_is_open(self, pk: str, batch_id: str) -> ConditionCheckTypeDef:
        return batch_is_open(self.table_name, pk, batch_id)

    def _keys_under_batch(self, pk: str, batch_id: str) -> list[Item]:
        return query_all(
            self.client,
            {
                "TableName": self.table_name,
                "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
                "ExpressionAttributeValues": {
                    ":pk": s(pk),
                    ":prefix": s(keys.batch_sk(batch_id)),
                },
                "ProjectionExpression": "PK, SK",
                "ConsistentRead": True,
            },
        )


def batch_is_open(table_name: str, pk: str, batch_id: str) -> ConditionCheckTypeDef:
    """The transaction item that makes a write depend on the batch being open; on failure
    it returns the batch (ALL_OLD), so the caller can say whether it is gone or closed."""
    return {
        "TableName": table_name,
        "Key": {"PK": s(pk), "SK": s(keys.batch_sk(batch_id))},
        "ConditionExpression": f"#status IN ({status_placeholders(OPEN_STATUSES)})",
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": status_values(OPEN_STATUSES),
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }


def _attribute_value(value: object) -> dict[str, str]:
    if isinstance(value, datetime):
        return ts(value)
    if isinstance(value, int | float):
        return n(value)
    return s(str(value))


def _why_update_failed(old: Item | None, expected_version: int, changes: BatchChanges) -> Exception:
    if old is None:
        return NotFound("No such batch.")
    current = batch_from_item(old)
    if current.version != expected_version:
        return StaleVersion(
            f"The batch was changed since version {expected_version}; "
            f"it is now at version {current.version}. Reload it and try again."
        )
    return InvalidTransition(f"A batch cannot go from {current.status} to {changes.status}.")


def _why_event_write_failed(exc: ClientError, missing_event: str = "") -> Exception:
    if error_code(exc) != "TransactionCanceledException":
        return exc
    reasons: list[dict[str, Any]] = list(exc.response.get("CancellationReasons", []))  # type: ignore[arg-type]
    batch_reason = reasons[0] if reasons else {}
    if batch_reason.get("Code") == "ConditionalCheckFailed":
        if "Item" not in batch_reason:
            return NotFound("No such batch.")
        status = batch_reason["Item"]["status"]["S"]
        return BatchClosed(f"The batch is {status}: its event log can no longer change.")
    if missing_event and len(reasons) > 1 and reasons[1].get("Code") == "ConditionalCheckFailed":
        return NotFound(missing_event)
    return exc
