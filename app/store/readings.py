"""Readings of a batch, in their own partition, and the batch's alert state beside them.

A reading item is one sensor's minute: each reading adds to per-metric sums and
counts (`ADD`), so readings faster than one a minute merge without a read, and the
item's count `n` is, in the change feed, its version (a minute merged twice is one
record at version 2). Filing a reading (the stream's
consumer, `app.usecases.posted`) is one transaction: the batch is the owner's and open,
the alert state is the version read, and any alert it fired is logged as an event — all
or nothing, so a retried or racing consumer never logs an alert twice.

Readings and the alert state are in their user's change feed (GSI2, see
`app.store.keys`). A deleted batch's partition is not emptied but buried: each item
is overwritten by its tombstone, one write each, which sync hands to devices and TTL
removes after the horizon.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import msgspec
from botocore.exceptions import ClientError

from app.aws_errors import error_code
from app.domain.alerts import AlertState
from app.domain.batches import Batch, Event
from app.domain.errors import InvalidCursor, NotFound
from app.domain.readings import METRICS, Metric, Reading, StoredReading, minute_of
from app.domain.sensors import IngestTarget
from app.domain.sync import AlertStatus, ReadingRecord
from app.store import keys
from app.store.batches import batch_unavailable, under_open_batch
from app.store.conditional import failed_conditions, put_new
from app.store.items import (
    Item,
    batch_from_item,
    batch_key,
    change_keys,
    event_from_item,
    event_to_item,
    get_ts,
    key,
    n,
    opt_ts,
    s,
    tombstone_to_item,
    ts,
    with_change_keys,
)
from app.store.pages import NOT_OURS, decode_cursor, next_cursor
from app.store.table import delete_keys, events_query, partition_query, put_items, query_all

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        PutTypeDef,
        TransactWriteItemTypeDef,
        UpdateTypeDef,
    )

READING_CURSOR_FIELDS = ("SK",)

_state_encoder = msgspec.json.Encoder()
_state_decoder = msgspec.json.Decoder(AlertState)


class StateChanged(Exception):
    """Another ingest moved the batch's alert state first; read it again and retry."""


class ReadingStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    def batch_with_events(self, sub: str, batch_id: str) -> tuple[Batch, list[Event]]:
        """The caller's batch and its events (manual `measure` points of a series, ticks
        on a chart); NotFound for a batch that is not the caller's."""
        items = query_all(self.client, events_query(self.table_name, keys.user_pk(sub), batch_id))
        if not items or items[0]["SK"]["S"] != keys.batch_sk(batch_id):
            raise NotFound("No such batch.")
        return batch_from_item(items[0]), [event_from_item(item) for item in items[1:]]

    def delete_all(self, sub: str, batch_id: str) -> int:
        """Every item of the batch's readings partition, tombstones too (the account is
        being deleted); a sweep interrupted halfway is finished by the next call."""
        deleted = 0
        pk = keys.readings_pk(sub, batch_id)
        params = partition_query(self.table_name, pk, ProjectionExpression="PK, SK")
        while item_keys := query_all(self.client, params):
            delete_keys(self.client, self.table_name, item_keys)
            deleted += len(item_keys)
        return deleted

    def bury(self, sub: str, batch_id: str, now: datetime) -> int:
        """Every reading of the deleted batch and its alert state replaced by its
        tombstone, page by page; a sweep interrupted halfway is finished by the next
        call (what is buried already is left as it is)."""
        buried = 0
        params = partition_query(
            self.table_name, keys.readings_pk(sub, batch_id), ProjectionExpression="PK, SK, entity"
        )
        while True:
            response = self.client.query(**params)
            records = [i for i in response["Items"] if i.get("entity") != s("tombstone")]
            put_items(
                self.client,
                self.table_name,
                [tombstone_to_item(record, now, in_place=True) for record in records],
            )
            buried += len(records)
            if "LastEvaluatedKey" not in response:
                return buried
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def batch(self, sub: str, batch_id: str) -> Batch:
        return owned_batch(self.client, self.table_name, sub, batch_id)

    def alert_state(self, sub: str, batch_id: str) -> AlertState | None:
        response = self.client.get_item(
            TableName=self.table_name, Key=_state_key(sub, batch_id), ConsistentRead=True
        )
        item = response.get("Item")
        if item is None or item.get("entity") == s("tombstone"):  # none, or its batch went
            return None
        return _state_from_item(item)

    def add(
        self,
        target: IngestTarget,
        reading: Reading,
        *,
        state: AlertState,
        events: Sequence[Event],
        now: datetime,
    ) -> None:
        """File the reading with the state it led to; StateChanged, NotFound or
        BatchClosed when a condition fails (and nothing is written). The state's version
        condition makes a state remembered from an earlier record as safe as one read
        just now."""
        sub, batch_id = target.sub, target.batch_id
        items = under_open_batch(
            self.table_name,
            sub,
            batch_id,
            {"Update": self._bucket_update(sub, batch_id, target.sensor_id, reading, now)},
            {"Put": self._state_put(sub, batch_id, state, now)},
            *(put_new(self.table_name, event_to_item(sub, event)) for event in events),
        )
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            failed = failed_conditions(exc)
            if 0 in failed:
                raise batch_unavailable(failed[0], "its readings") from None
            if failed:
                raise StateChanged("The alert state changed meanwhile.") from None
            raise

    def save_state(
        self,
        sub: str,
        batch_id: str,
        state: AlertState,
        events: Sequence[Event],
        now: datetime,
    ) -> None:
        """The state after a scheduled check (silence) or new rules, with the events it
        fired."""
        items: list[TransactWriteItemTypeDef] = [
            {"Put": self._state_put(sub, batch_id, state, now)}
        ]
        items += [
            {"Put": {"TableName": self.table_name, "Item": event_to_item(sub, event)}}
            for event in events
        ]
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException":
                raise StateChanged("The alert state changed meanwhile.") from None
            raise

    def silent_batches(self, now: datetime) -> list[tuple[str, str]]:
        """(sub, batch id) of every batch with a sensor past its silence deadline."""
        found: list[tuple[str, str]] = []
        params: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": "GSI1",
            "KeyConditionExpression": "GSI1PK = :pk AND GSI1SK <= :now",
            "ExpressionAttributeValues": {":pk": s(keys.SILENCE), ":now": s(_iso(now) + "~")},
            "ProjectionExpression": "PK",
        }
        while True:
            response = self.client.query(**params)
            for item in response["Items"]:
                sub, _, batch_id = item["PK"]["S"][len(keys.READINGS) :].rpartition("#")
                found.append((sub, batch_id))
            if "LastEvaluatedKey" not in response:
                return found
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def readings(
        self,
        sub: str,
        batch_id: str,
        start: datetime,
        end: datetime,
        metric: Metric | None = None,
    ) -> Iterator[StoredReading]:
        """Every reading in [start, end], oldest first, page after page; with a metric,
        only that metric's attributes are read."""
        params = self._range_params(sub, batch_id, start, end)
        if metric is not None:
            params["ProjectionExpression"] = "SK, #at, #n, #sum, #count"
            params["ExpressionAttributeNames"] = {
                "#at": "at",
                "#n": "n",
                "#sum": f"{metric}Sum",
                "#count": f"{metric}N",
            }
        while True:
            response = self.client.query(**params)
            for item in response["Items"]:
                yield reading_from_item(item)
            if "LastEvaluatedKey" not in response:
                return
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def page(
        self,
        sub: str,
        batch_id: str,
        start: datetime,
        end: datetime,
        *,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[StoredReading], str | None]:
        params = self._range_params(sub, batch_id, start, end)
        params["Limit"] = limit
        if cursor is not None:
            sk = decode_cursor(cursor, READING_CURSOR_FIELDS)["SK"]
            if not sk.startswith(keys.READING):
                raise InvalidCursor(NOT_OURS)
            params["ExclusiveStartKey"] = key(keys.readings_pk(sub, batch_id), sk)
        response = self.client.query(**params)
        return (
            [reading_from_item(item) for item in response["Items"]],
            next_cursor(response, READING_CURSOR_FIELDS),
        )

    def _range_params(
        self, sub: str, batch_id: str, start: datetime, end: datetime
    ) -> dict[str, Any]:
        return {
            "TableName": self.table_name,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": {
                ":pk": s(keys.readings_pk(sub, batch_id)),
                ":lo": s(keys.reading_sk(_minute_key(start), "")),
                ":hi": s(keys.readings_upper_bound(_minute_key(end))),
            },
        }

    def _bucket_update(
        self,
        sub: str,
        batch_id: str,
        sensor_id: str,
        reading: Reading,
        now: datetime,
    ) -> UpdateTypeDef:
        adds = ["#n :one"]
        pk = keys.readings_pk(sub, batch_id)
        sk = keys.reading_sk(_minute_key(reading.at), sensor_id)
        feed = change_keys(pk, sk, now)
        values: dict[str, Any] = {
            ":one": n(1),
            ":at": ts(reading.at),
            ":sensor": s(sensor_id),
            ":entity": s("reading"),
            ":now": ts(now),
            ":feedPk": feed["GSI2PK"],
            ":feedSk": feed["GSI2SK"],
        }
        names = {"#n": "n", "#at": "at"}
        for metric in METRICS:
            value = reading.value(metric)
            if value is None:
                continue
            names[f"#{metric}Sum"] = f"{metric}Sum"
            names[f"#{metric}N"] = f"{metric}N"
            values[f":{metric}"] = n(float(value))
            adds += [f"#{metric}Sum :{metric}", f"#{metric}N :one"]
        return {
            "TableName": self.table_name,
            "Key": key(pk, sk),
            "UpdateExpression": "SET #at = if_not_exists(#at, :at), sensorId = :sensor, "
            "entity = :entity, updatedAt = :now, GSI2PK = :feedPk, GSI2SK = :feedSk "
            "ADD " + ", ".join(adds),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }

    def _state_put(self, sub: str, batch_id: str, state: AlertState, now: datetime) -> PutTypeDef:
        previous = state.version
        stored = msgspec.structs.replace(state, version=previous + 1)
        item: Item = with_change_keys(
            {
                **_state_key(sub, batch_id),
                "entity": s("alert-state"),
                "state": s(_state_encoder.encode(stored).decode()),
                "updatedAt": ts(now),
                "version": n(previous + 1),
            },
            now,
        )
        deadline = state.silence_deadline()
        if deadline is not None:
            item["GSI1PK"] = s(keys.SILENCE)
            item["GSI1SK"] = s(f"{_iso(deadline)}#{sub}#{batch_id}")
        condition = "attribute_not_exists(PK)" if previous == 0 else "version = :version"
        put: PutTypeDef = {
            "TableName": self.table_name,
            "Item": item,
            "ConditionExpression": condition,
        }
        if previous:
            put["ExpressionAttributeValues"] = {":version": n(previous)}
        return put


def owned_batch(client: DynamoDBClient, table_name: str, sub: str, batch_id: str) -> Batch:
    """The caller's batch by key: someone else's is simply not in their partition."""
    item = client.get_item(TableName=table_name, Key=batch_key(sub, batch_id)).get("Item")
    if item is None:
        raise NotFound("No such batch.")
    return batch_from_item(item)


def _state_key(sub: str, batch_id: str) -> Item:
    return key(keys.readings_pk(sub, batch_id), keys.ALERTS_SK)


def _state_from_item(item: Item) -> AlertState:
    return _state_decoder.decode(item["state"]["S"])


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _minute_key(at: datetime) -> str:
    return minute_of(at).strftime("%Y-%m-%dT%H:%MZ")


def reading_from_item(item: Item) -> StoredReading:
    values: dict[str, float] = {}
    for metric in METRICS:
        total, count = item.get(f"{metric}Sum"), item.get(f"{metric}N")
        if total is not None and count is not None:
            values[metric] = float(total["N"]) / float(count["N"])
    return StoredReading(
        at=datetime.fromisoformat(item["at"]["S"]),
        sensor_id=item["SK"]["S"].rsplit("#", 1)[-1],
        count=int(item["n"]["N"]),
        values=values,
    )


def reading_record_from_item(item: Item) -> ReadingRecord:
    """A minute reading with who and when, for sync and the export."""
    reading = reading_from_item(item)
    batch_id = keys.readings_owner(item["PK"]["S"])[1]
    return ReadingRecord(
        id=keys.reading_id(batch_id, item["SK"]["S"]),
        batch_id=batch_id,
        sensor_id=reading.sensor_id,
        at=reading.at,
        count=reading.count,
        values=reading.values,
        updated_at=opt_ts(item, "updatedAt") or reading.at,
    )


def alert_status_from_item(item: Item) -> AlertStatus:
    state = _state_from_item(item)
    return AlertStatus(
        batch_id=keys.readings_owner(item["PK"]["S"])[1],
        rules=state.effective_rules(),
        firing=list(state.firing),
        last_reading_at=state.last_at,
        updated_at=get_ts(item, "updatedAt"),
        version=int(item["version"]["N"]),
    )
