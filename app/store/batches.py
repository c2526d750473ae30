"""The batches and events of one user, in the single table.

Each method is one access pattern from `app.store.keys` and, except deleting a whole
batch, one DynamoDB call: conditions on the write do the checking, so a check and
the write it guards can never be split by another writer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import msgspec
from botocore.exceptions import ClientError

from app.domain.batches import (
    OPEN_STATUSES,
    Batch,
    BatchStatus,
    Event,
    statuses_allowed_before,
)
from app.domain.errors import (
    AccountDeleted,
    AlreadyExists,
    BatchClosed,
    InvalidCursor,
    InvalidTransition,
    NotFound,
)
from app.domain.idempotency import Idempotency
from app.domain.ids import is_ulid
from app.store import keys
from app.store.conditional import (
    ConditionFailed,
    Update,
    failed_conditions,
    put_new,
    stale_version,
    status_placeholders,
    status_values,
    update_or_old,
)
from app.store.deletions import not_deleted
from app.store.idempotency import Replay, claim, transact_claimed
from app.store.items import (
    Item,
    Value,
    batch_from_item,
    batch_key,
    batch_to_item,
    event_from_item,
    event_to_item,
    key,
    key_of,
    made_entry,
    n,
    s,
    tombstone_to_item,
    ts,
)
from app.store.pages import NOT_OURS, Page, decode_cursor, next_cursor, start_after
from app.store.table import delete_keys, events_query, partition_query, put_items, query_all

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import ConditionCheckTypeDef, TransactWriteItemTypeDef

BATCH_CURSOR_FIELDS = ("SK", "LSI1SK")
EVENT_CURSOR_FIELDS = ("SK",)


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
    # The caller's culture that made it (checked to exist); `remove` may name it too.
    culture_id: str | None = None


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

    def create_batch(self, sub: str, batch: Batch, idempotency: Idempotency | None = None) -> Batch:
        """One call, a transaction with the deleted-account check: a batch is the one
        thing a client creates from nothing, so this is where a deleted account's
        still-valid token must stop (everything else needs a batch that exists). With a
        culture, the transaction also checks the culture is the caller's (404 if not); with
        an idempotency key, the key's record joins the same transaction (last). Returns the
        stored batch: the first one created under the key on a replay."""
        item = batch_to_item(sub, batch)
        items: list[TransactWriteItemTypeDef] = [
            not_deleted(self.table_name, sub),
            put_new(self.table_name, item),
        ]
        if batch.culture_id is not None:
            items.append(add_to_culture(self.table_name, sub, batch.culture_id, batch))
        try:
            if idempotency is None:
                self.client.transact_write_items(TransactItems=items)
            else:
                items.append(claim(self.table_name, sub, idempotency, item, batch.updated_at))
                transact_claimed(self.client, items, idempotency)
        except Replay as replay:
            return batch_from_item(replay.record)
        except ClientError as exc:
            failed = failed_conditions(exc)
            if 0 in failed:
                raise AccountDeleted("This account was deleted.") from None
            if 1 in failed:  # a client-generated id (sync push) was taken
                raise AlreadyExists("A batch with this id exists.") from None
            if 2 in failed:
                raise NotFound("No such culture.") from None
            raise
        return batch

    def get_batch_with_events(self, sub: str, batch_id: str, event_limit: int) -> BatchWithEvents:
        response = self.client.query(
            **events_query(
                self.table_name,
                keys.user_pk(sub),
                batch_id,
                Limit=event_limit + 1,
                ConsistentRead=True,
            )
        )
        items = response["Items"]
        if not items or items[0]["SK"]["S"] != keys.batch_sk(batch_id):
            raise NotFound("No such batch.")
        return BatchWithEvents(
            batch=batch_from_item(items[0]),
            events=[event_from_item(item) for item in items[1:]],
            next_events_cursor=next_cursor(response, EVENT_CURSOR_FIELDS),
        )

    def list_batches(
        self, sub: str, *, status: BatchStatus | None, limit: int, cursor: str | None
    ) -> Page[Batch]:
        """Newest first. With a status filter a page may hold fewer than `limit` batches
        (the filter applies after the read); `next_cursor` says whether more may follow."""
        pk = keys.user_pk(sub)
        params = partition_query(
            self.table_name, pk, IndexName="LSI1", ScanIndexForward=False, Limit=limit
        )
        if status is not None:
            params["FilterExpression"] = "#status = :status"
            params["ExpressionAttributeNames"] = {"#status": "status"}
            params["ExpressionAttributeValues"][":status"] = s(status)
        if cursor is not None:
            start = decode_cursor(cursor, BATCH_CURSOR_FIELDS)
            if not is_ulid(start["LSI1SK"]) or start["SK"] != keys.batch_sk(start["LSI1SK"]):
                raise InvalidCursor(NOT_OURS)
            params["ExclusiveStartKey"] = {"PK": s(pk), **{k: s(v) for k, v in start.items()}}
        response = self.client.query(**params)
        return Page(
            items=[batch_from_item(item) for item in response["Items"]],
            next_cursor=next_cursor(response, BATCH_CURSOR_FIELDS),
        )

    def update_batch(
        self,
        sub: str,
        batch_id: str,
        expected_version: int,
        changes: BatchChanges,
        now: datetime,
        idempotency: Idempotency | None = None,
    ) -> Batch:
        """One conditional UpdateItem; with an idempotency key (a pushed mutation), one
        transaction with the key's record and a read of the result (a replay reads the
        batch as it is now). A change its culture keeps (name, status, start, the culture
        itself) goes through `_update_with_culture`."""
        if _culture_sees(changes):
            return self._update_with_culture(
                sub, batch_id, expected_version, changes, now, idempotency
            )
        update = _batch_update(sub, batch_id, expected_version, changes, now)
        if idempotency is not None:
            return self._update_once(sub, batch_id, update, idempotency, expected_version, changes)
        try:
            item = update_or_old(self.client, self.table_name, batch_key(sub, batch_id), update)
        except ConditionFailed as failed:
            raise _why_update_failed(failed.old, expected_version, changes) from None
        return batch_from_item(item)

    def _update_with_culture(
        self,
        sub: str,
        batch_id: str,
        expected_version: int,
        changes: BatchChanges,
        now: datetime,
        idempotency: Idempotency | None,
    ) -> Batch:
        """The batch and what its culture keeps of it (`made.<id>` on the culture item),
        in one transaction: the culture it leaves drops it, the culture it names (which
        must be the caller's: checked by that write's condition, so a culture deleted
        meanwhile cannot be linked) gets it.

        Most batches have no culture, so without a new cultureId the first try is a
        plain UpdateItem that holds only while the batch has none; the batch it fails on
        (ALL_OLD) says which culture to keep in step. Otherwise the batch is read first;
        either way the transaction's version condition makes sure that read is current."""
        key = batch_key(sub, batch_id)
        old: Item | None
        if changes.culture_id is None and idempotency is None:
            update = _batch_update(sub, batch_id, expected_version, changes, now)
            update.conditions.append("attribute_not_exists(cultureId)")
            try:
                return batch_from_item(update_or_old(self.client, self.table_name, key, update))
            except ConditionFailed as failure:
                old = failure.old
            if old is None or "cultureId" not in old or _version(old) != expected_version:
                raise _why_update_failed(old, expected_version, changes)
        else:
            response = self.client.get_item(TableName=self.table_name, Key=key, ConsistentRead=True)
            old = response.get("Item")
            if old is None:
                raise NotFound("No such batch.")
        current = batch_from_item(old)
        after = _changed_batch(current, changes, now)
        keep_old = True  # False once the batch's own culture turned out deleted
        while True:
            write = _batch_update(sub, batch_id, expected_version, changes, now)
            item = write.in_transaction(self.table_name, key)
            item["Update"]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
            items: list[TransactWriteItemTypeDef] = [item]
            left = current.culture_id if current.culture_id != after.culture_id else None
            if left is not None and keep_old:
                items.append(drop_from_culture(self.table_name, sub, left, batch_id))
            linked = len(items)  # the index of the write onto the culture it names, if any
            if after.culture_id is not None and (keep_old or changes.culture_id is not None):
                items.append(add_to_culture(self.table_name, sub, after.culture_id, after))
            try:
                if idempotency is None:
                    self.client.transact_write_items(TransactItems=items)
                else:
                    items.append(claim(self.table_name, sub, idempotency, {}, now))
                    transact_claimed(self.client, items, idempotency)
            except Replay:
                return self.get_batch(sub, batch_id)
            except ClientError as exc:
                failed = failed_conditions(exc)
                if 0 in failed:
                    raise _why_update_failed(failed[0], expected_version, changes) from None
                if linked in failed and changes.culture_id is not None:
                    raise NotFound("No such culture.") from None
                if not failed or not keep_old:
                    raise
                keep_old = False  # its culture is gone: only the batch (and a new one) change
                continue
            return after

    def get_batch(self, sub: str, batch_id: str) -> Batch:
        response = self.client.get_item(
            TableName=self.table_name, Key=batch_key(sub, batch_id), ConsistentRead=True
        )
        if "Item" not in response:
            raise NotFound("No such batch.")
        return batch_from_item(response["Item"])

    def _update_once(
        self,
        sub: str,
        batch_id: str,
        update: Update,
        idempotency: Idempotency,
        expected_version: int,
        changes: BatchChanges,
    ) -> Batch:
        write = update.in_transaction(self.table_name, batch_key(sub, batch_id))
        write["Update"]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        items = [write, claim(self.table_name, sub, idempotency, {}, update.now)]
        try:
            transact_claimed(self.client, items, idempotency)
        except Replay:
            pass
        except ClientError as exc:
            failed = failed_conditions(exc)
            if 0 not in failed:
                raise
            raise _why_update_failed(failed[0], expected_version, changes) from None
        return self.get_batch(sub, batch_id)

    def delete_batch(
        self,
        sub: str,
        batch_id: str,
        now: datetime,
        release_photos: Callable[[list[str]], None] | None = None,
    ) -> None:
        """Deletes the batch item first: from then on no event can be added under it
        (adding checks the batch exists), so one sweep of what is left is complete.
        A sweep interrupted halfway is finished by the next call. Every item leaves a
        tombstone (written before it goes), so sync tells each device what is gone.

        `release_photos` gets the ids of photo items before they are deleted (their
        objects go first), so a failure in between leaves the items for the retry."""
        children = self._keys_under_batch(sub, batch_id)
        if not children:
            raise NotFound("No such batch.")
        put_items(self.client, self.table_name, [tombstone_to_item(i, now) for i in children])
        batch = batch_key(sub, batch_id)
        self._delete_batch_item(sub, batch_id, next(i for i in children if i["SK"] == batch["SK"]))
        remaining = [k for k in children if k["SK"] != batch["SK"]]
        while remaining:
            if release_photos is not None:
                prefix = keys.photo_prefix(batch_id)
                photo_keys = (k["SK"]["S"] for k in remaining)
                photo_ids = [sk[len(prefix) :] for sk in photo_keys if sk.startswith(prefix)]
                if photo_ids:
                    release_photos(photo_ids)
            delete_keys(self.client, self.table_name, [key_of(i) for i in remaining])
            remaining = self._keys_under_batch(sub, batch_id)
            put_items(self.client, self.table_name, [tombstone_to_item(i, now) for i in remaining])

    def _delete_batch_item(self, sub: str, batch_id: str, item: Item) -> None:
        """The batch item, and its entry on the culture that made it, together."""
        culture_id = item.get("cultureId", {}).get("S")
        if culture_id is not None:
            delete: TransactWriteItemTypeDef = {
                "Delete": {"TableName": self.table_name, "Key": batch_key(sub, batch_id)}
            }
            drop = drop_from_culture(self.table_name, sub, culture_id, batch_id)
            try:
                self.client.transact_write_items(TransactItems=[delete, drop])
            except ClientError as exc:
                if 1 not in failed_conditions(exc):
                    raise
            else:
                return
        self.client.delete_item(TableName=self.table_name, Key=batch_key(sub, batch_id))

    def add_event(self, sub: str, event: Event, idempotency: Idempotency | None = None) -> Event:
        """Returns the stored event: the first one logged under the key on a replay."""
        item = event_to_item(sub, event)
        items = under_open_batch(
            self.table_name, sub, event.batch_id, put_new(self.table_name, item)
        )
        try:
            if idempotency is None:
                self.client.transact_write_items(TransactItems=items)
            else:
                items.append(claim(self.table_name, sub, idempotency, item, event.created_at))
                transact_claimed(self.client, items, idempotency)
        except Replay as replay:
            return event_from_item(replay.record)
        except ClientError as exc:
            raise _why_event_write_failed(exc) from None
        return event

    def list_events(
        self, sub: str, batch_id: str, *, limit: int, cursor: str | None
    ) -> Page[Event]:
        """Oldest first. The batch item sorts right before its events, so the first page
        reads it too and tells an empty log from a batch that is not there."""
        pk = keys.user_pk(sub)
        params = events_query(
            self.table_name,
            pk,
            batch_id,
            Limit=limit + 1 if cursor is None else limit,
            ConsistentRead=True,
        )
        if cursor is not None:
            params["ExclusiveStartKey"] = start_after(cursor, pk, keys.event_prefix(batch_id))
        response = self.client.query(**params)
        items = response["Items"]
        if cursor is None:
            if not items or items[0]["SK"]["S"] != keys.batch_sk(batch_id):
                raise NotFound("No such batch.")
            items = items[1:]
        return Page(
            items=[event_from_item(item) for item in items],
            next_cursor=next_cursor(response, EVENT_CURSOR_FIELDS),
        )

    def delete_event(self, sub: str, batch_id: str, event_id: str, now: datetime) -> None:
        event_key = key(keys.user_pk(sub), keys.event_sk(batch_id, event_id))
        delete: TransactWriteItemTypeDef = {
            "Delete": {
                "TableName": self.table_name,
                "Key": event_key,
                "ConditionExpression": "attribute_exists(SK)",
            }
        }
        record = {**event_key, "entity": s("event"), "id": s(event_id), "batchId": s(batch_id)}
        tombstone: TransactWriteItemTypeDef = {
            "Put": {"TableName": self.table_name, "Item": tombstone_to_item(record, now)}
        }
        items = under_open_batch(self.table_name, sub, batch_id, delete, tombstone)
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            raise _why_event_write_failed(exc, missing_event="No such event.") from None

    def _keys_under_batch(self, sub: str, batch_id: str) -> list[Item]:
        return query_all(
            self.client,
            partition_query(
                self.table_name,
                keys.user_pk(sub),
                begins_with=keys.batch_sk(batch_id),
                ProjectionExpression="PK, SK, entity, id, batchId, cultureId",
                ConsistentRead=True,
            ),
        )


def under_open_batch(
    table_name: str, sub: str, batch_id: str, *writes: TransactWriteItemTypeDef
) -> list[TransactWriteItemTypeDef]:
    """The transaction items that make `writes` depend on the batch being open: its check
    goes first, so `failed_conditions` reports it at 0 (with the batch as it was, ALL_OLD)
    and `batch_unavailable` says whether it is gone or closed."""
    check: ConditionCheckTypeDef = {
        "TableName": table_name,
        "Key": batch_key(sub, batch_id),
        "ConditionExpression": f"#status IN ({status_placeholders(OPEN_STATUSES)})",
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": status_values(OPEN_STATUSES),
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    return [{"ConditionCheck": check}, *writes]


def batch_unavailable(old: Item | None, what: str) -> NotFound | BatchClosed:
    """Why an `under_open_batch` check failed: the batch is gone, or closed for `what`."""
    if old is None:
        return NotFound("No such batch.")
    return BatchClosed(f"The batch is {old['status']['S']}: {what} can no longer change.")


def require_batch(client: DynamoDBClient, table_name: str, sub: str, batch_id: str) -> None:
    """404 unless the caller has this batch: reads only its key."""
    response = client.get_item(
        TableName=table_name,
        Key=batch_key(sub, batch_id),
        ProjectionExpression="SK",
        ConsistentRead=True,
    )
    if "Item" not in response:
        raise NotFound("No such batch.")


def add_to_culture(
    table_name: str, sub: str, culture_id: str, *batches: Batch
) -> TransactWriteItemTypeDef:
    """A transaction's write of `batches` onto the caller's culture (its `made` map), on
    condition the culture exists: so the same write checks a cultureId is the caller's."""
    return {
        "Update": {
            "TableName": table_name,
            "Key": key(keys.user_pk(sub), keys.culture_sk(culture_id)),
            "UpdateExpression": "SET "
            + ", ".join(f"made.#b{i} = :b{i}" for i in range(len(batches))),
            "ConditionExpression": "attribute_exists(SK)",
            "ExpressionAttributeNames": {f"#b{i}": b.id for i, b in enumerate(batches)},
            "ExpressionAttributeValues": {f":b{i}": made_entry(b) for i, b in enumerate(batches)},
        }
    }


def drop_from_culture(
    table_name: str, sub: str, culture_id: str, batch_id: str
) -> TransactWriteItemTypeDef:
    """The batch off its culture's `made` map; fails if the culture is gone (an Update
    without the condition would create a stub of it)."""
    return {
        "Update": {
            "TableName": table_name,
            "Key": key(keys.user_pk(sub), keys.culture_sk(culture_id)),
            "UpdateExpression": "REMOVE made.#batch",
            "ConditionExpression": "attribute_exists(SK)",
            "ExpressionAttributeNames": {"#batch": batch_id},
        }
    }


def _version(item: Item) -> int:
    return int(item["version"]["N"])


def _culture_sees(changes: BatchChanges) -> bool:
    """Whether the change touches what the batch's culture keeps of it (`made_entry`)."""
    return (
        changes.culture_id is not None
        or "culture_id" in changes.remove
        or any(getattr(changes, f) is not None for f in ("name", "status", "started_at"))
    )


def _batch_update(
    sub: str, batch_id: str, expected_version: int, changes: BatchChanges, now: datetime
) -> Update:
    update = Update(now).require_item().require_version(expected_version)
    for field, attribute in _CHANGE_ATTRIBUTES.items():
        value = getattr(changes, field)
        if value is not None:
            update.set(attribute, _attribute_value(value))
    if changes.public is True:
        update.set("GSI1PK", s(keys.public_pk(batch_id))).set("GSI1SK", s(keys.PUBLIC_SK))
    if changes.culture_id is not None:
        update.set("cultureId", s(changes.culture_id)).set("GSI3SK", s(batch_id))
        update.set("GSI3PK", s(keys.culture_batches_gsi3pk(sub, changes.culture_id)))
    for field in sorted(changes.remove - {"culture_id"}):
        update.remove(_CHANGE_ATTRIBUTES[field])
    if "culture_id" in changes.remove:
        update.remove("cultureId").remove("GSI3PK").remove("GSI3SK")
    if changes.public is False:
        update.remove("GSI1PK").remove("GSI1SK")
    if changes.status is not None:
        update.require_status(statuses_allowed_before(changes.status))
    return update


def _changed_batch(current: Batch, changes: BatchChanges, now: datetime) -> Batch:
    """`current` as the update leaves it (what the transaction writes, without a read)."""
    fields: dict[str, object] = {
        f: getattr(changes, f) for f in _CHANGE_ATTRIBUTES if getattr(changes, f) is not None
    }
    fields |= {f: None for f in changes.remove}
    if changes.culture_id is not None:
        fields["culture_id"] = changes.culture_id
    if changes.public is not None:
        fields["public"] = changes.public
    return msgspec.structs.replace(current, **fields, updated_at=now, version=current.version + 1)


def _attribute_value(value: object) -> Value:
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
        return stale_version("batch", expected_version, current.version)
    return InvalidTransition(f"A batch cannot go from {current.status} to {changes.status}.")


def _why_event_write_failed(exc: ClientError, missing_event: str = "") -> Exception:
    failed = failed_conditions(exc)
    if 0 in failed:
        return batch_unavailable(failed[0], "its event log")
    if missing_event and 1 in failed:
        return NotFound(missing_event)
    return exc
