"""Sensors: `SENSOR#<id>` in the owner's partition, plus one item per live ingest token
(`INGEST#<token hash>`, `TOKEN`) that says whose batch the token writes to.

The token item exists only while the sensor is active: revoking deletes it in the same
transaction that marks the sensor revoked, so ingest needs a single GetItem to tell a
live token from anything else. Registering and moving check, in the same transaction,
that the batch is the caller's and open.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from app.aws_errors import error_code
from app.domain.batches import Batch, BatchKind
from app.domain.errors import BatchClosed, NotFound
from app.domain.sensors import IngestTarget, Sensor, SensorStatus
from app.store import keys
from app.store.batches import batch_is_open
from app.store.items import Item, get_ts, n, s, ts
from app.store.partition import query_all
from app.store.readings import owned_batch

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef


class SensorStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    def batch(self, sub: str, batch_id: str) -> Batch:
        """The caller's batch (its kind and start feed the alert rules)."""
        return owned_batch(self.client, self.table_name, sub, batch_id)

    def register(self, sub: str, sensor: Sensor, batch: Batch) -> None:
        target = IngestTarget(
            sub=sub,
            batch_id=batch.id,
            sensor_id=sensor.id,
            kind=batch.kind,
            started_at=batch.started_at,
        )
        self._transact(
            [
                {"ConditionCheck": batch_is_open(self.table_name, keys.user_pk(sub), batch.id)},
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": sensor_to_item(sub, sensor),
                        "ConditionExpression": "attribute_not_exists(SK)",
                    }
                },
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": target_to_item(sensor.token_hash, target),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
            ]
        )

    def list_sensors(self, sub: str) -> list[Sensor]:
        items = query_all(
            self.client,
            {
                "TableName": self.table_name,
                "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
                "ExpressionAttributeValues": {
                    ":pk": s(keys.user_pk(sub)),
                    ":prefix": s(keys.SENSOR),
                },
            },
        )
        return [sensor_from_item(item) for item in items]

    def get(self, sub: str, sensor_id: str) -> Sensor:
        response = self.client.get_item(
            TableName=self.table_name, Key=_sensor_key(sub, sensor_id), ConsistentRead=True
        )
        item = response.get("Item")
        if item is None:
            raise NotFound("No such sensor.")
        return sensor_from_item(item)

    def update(
        self, sub: str, sensor: Sensor, *, name: str | None, batch: Batch | None, now: datetime
    ) -> Sensor:
        """Rename and/or move an active sensor, conditioned on the version read."""
        sets = ["#version = #version + :one", "updatedAt = :now"]
        values: dict[str, Any] = {
            ":one": n(1),
            ":now": ts(now),
            ":version": n(sensor.version),
            ":active": s("active"),
        }
        if name is not None:
            sets.append("#name = :name")
            values[":name"] = s(name)
        if batch is not None:
            sets.append("batchId = :batch")
            values[":batch"] = s(batch.id)
        items: list[TransactWriteItemTypeDef] = [
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": _sensor_key(sub, sensor.id),
                    "UpdateExpression": "SET " + ", ".join(sets),
                    "ConditionExpression": "#version = :version AND #status = :active",
                    "ExpressionAttributeNames": {
                        "#version": "version",
                        "#status": "status",
                        **({"#name": "name"} if name is not None else {}),
                    },
                    "ExpressionAttributeValues": values,
                }
            }
        ]
        if batch is not None:
            items.insert(
                0, {"ConditionCheck": batch_is_open(self.table_name, keys.user_pk(sub), batch.id)}
            )
            items.append(
                {
                    "Update": {
                        "TableName": self.table_name,
                        "Key": _token_key(sensor.token_hash),
                        "UpdateExpression": "SET batchId = :batch, kind = :kind, startedAt = :at",
                        "ConditionExpression": "attribute_exists(PK)",
                        "ExpressionAttributeValues": {
                            ":batch": s(batch.id),
                            ":kind": s(batch.kind),
                            ":at": ts(batch.started_at),
                        },
                    }
                }
            )
        self._transact(items, sensor_conflict=True)
        return self.get(sub, sensor.id)

    def revoke(self, sub: str, sensor: Sensor, now: datetime) -> None:
        """Marks the sensor revoked and deletes its token item, together."""
        self._transact(
            [
                {
                    "Update": {
                        "TableName": self.table_name,
                        "Key": _sensor_key(sub, sensor.id),
                        "UpdateExpression": "SET #status = :revoked, updatedAt = :now, "
                        "#version = #version + :one",
                        "ConditionExpression": "#status = :active",
                        "ExpressionAttributeNames": {"#status": "status", "#version": "version"},
                        "ExpressionAttributeValues": {
                            ":revoked": s("revoked"),
                            ":active": s("active"),
                            ":now": ts(now),
                            ":one": n(1),
                        },
                    }
                },
                {"Delete": {"TableName": self.table_name, "Key": _token_key(sensor.token_hash)}},
            ],
            sensor_conflict=True,
        )

    def target(self, token_hash: str) -> IngestTarget | None:
        """The one read of an ingest: None for an unknown or revoked token."""
        response = self.client.get_item(TableName=self.table_name, Key=_token_key(token_hash))
        item = response.get("Item")
        return None if item is None else target_from_item(item)

    def _transact(
        self, items: list[TransactWriteItemTypeDef], sensor_conflict: bool = False
    ) -> None:
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            raise _why_failed(exc, items, sensor_conflict) from None


def _why_failed(
    exc: ClientError, items: list[TransactWriteItemTypeDef], sensor_conflict: bool
) -> Exception:
    if error_code(exc) != "TransactionCanceledException":
        return exc
    reasons: list[dict[str, Any]] = list(exc.response.get("CancellationReasons", []))  # type: ignore[arg-type]
    for item, reason in zip(items, reasons, strict=False):
        if reason.get("Code") != "ConditionalCheckFailed":
            continue
        if "ConditionCheck" in item:
            if "Item" not in reason:
                return NotFound("No such batch.")
            status = reason["Item"]["status"]["S"]
            return BatchClosed(f"The batch is {status}: it takes no new sensors.")
        if sensor_conflict:
            return NotFound("No such sensor (or it was revoked or changed meanwhile).")
    return exc


def _sensor_key(sub: str, sensor_id: str) -> Item:
    return {"PK": s(keys.user_pk(sub)), "SK": s(keys.sensor_sk(sensor_id))}


def _token_key(token_hash: str) -> Item:
    return {"PK": s(keys.ingest_pk(token_hash)), "SK": s(keys.TOKEN_SK)}


def sensor_to_item(sub: str, sensor: Sensor) -> Item:
    return {
        **_sensor_key(sub, sensor.id),
        "entity": s("sensor"),
        "id": s(sensor.id),
        "name": s(sensor.name),
        "batchId": s(sensor.batch_id),
        "status": s(sensor.status),
        "tokenHash": s(sensor.token_hash),
        "createdAt": ts(sensor.created_at),
        "updatedAt": ts(sensor.updated_at),
        "version": n(sensor.version),
    }


def sensor_from_item(item: Item) -> Sensor:
    return Sensor(
        id=item["id"]["S"],
        name=item["name"]["S"],
        batch_id=item["batchId"]["S"],
        status=cast(SensorStatus, item["status"]["S"]),
        token_hash=item["tokenHash"]["S"],
        created_at=get_ts(item, "createdAt"),
        updated_at=get_ts(item, "updatedAt"),
        version=int(item["version"]["N"]),
    )


def target_to_item(token_hash: str, target: IngestTarget) -> Item:
    return {
        **_token_key(token_hash),
        "entity": s("ingest-token"),
        "sub": s(target.sub),
        "batchId": s(target.batch_id),
        "sensorId": s(target.sensor_id),
        "kind": s(target.kind),
        "startedAt": ts(target.started_at),
        "version": n(1),
    }


def target_from_item(item: Item) -> IngestTarget:
    return IngestTarget(
        sub=item["sub"]["S"],
        batch_id=item["batchId"]["S"],
        sensor_id=item["sensorId"]["S"],
        kind=cast(BatchKind, item["kind"]["S"]),
        started_at=get_ts(item, "startedAt"),
    )
