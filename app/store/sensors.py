"""Sensors: `SENSOR#<id>` in the owner's partition, plus one item per live ingest token
(`INGEST#<token hash>`, `TOKEN`) that says whose batch the token writes to.

The token item exists only while the sensor is active: revoking deletes it in the same
transaction that marks the sensor revoked, so ingest needs a single GetItem to tell a
live token from anything else. Registering and moving check, in the same transaction,
that the batch is the caller's and open.

The token item is also where a reading enters the table: ingest replaces it with the
reading in it, conditioned on the version it read (one PutItem), and the table's stream
carries it to the consumer that files it (`app.usecases.posted`). A revocation, a move
or another process's reading moves or removes that version, so the write is refused
and ingest reads the item again.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from app.aws_errors import error_code
from app.domain.batches import Batch
from app.domain.errors import NotFound
from app.domain.readings import Reading
from app.domain.sensors import IngestTarget, Sensor, TokenHead
from app.store import keys
from app.store.batches import batch_unavailable, under_open_batch
from app.store.conditional import Update, failed_conditions, put_new
from app.store.items import (
    head_from_item,
    n,
    posted_to_item,
    s,
    sensor_from_item,
    sensor_key,
    sensor_to_item,
    target_to_item,
    token_key,
    ts,
)
from app.store.readings import owned_batch
from app.store.table import partition_query, query_all

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef


class TokenChanged(Exception):
    """The ingest token was revoked, or moved to another batch, or carried another
    reading since it was read: read it again."""


GONE = "No such sensor (or it was revoked or changed meanwhile)."


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
        token_put: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self.table_name,
                "Item": target_to_item(sensor.token_hash, target),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }
        self._transact(
            under_open_batch(
                self.table_name,
                sub,
                batch.id,
                put_new(self.table_name, sensor_to_item(sub, sensor)),
                token_put,
            )
        )

    def list_sensors(self, sub: str) -> list[Sensor]:
        items = query_all(
            self.client,
            partition_query(self.table_name, keys.user_pk(sub), begins_with=keys.SENSOR),
        )
        return [sensor_from_item(item) for item in items]

    def get(self, sub: str, sensor_id: str) -> Sensor:
        response = self.client.get_item(
            TableName=self.table_name, Key=sensor_key(sub, sensor_id), ConsistentRead=True
        )
        item = response.get("Item")
        if item is None:
            raise NotFound("No such sensor.")
        return sensor_from_item(item)

    def update(
        self, sub: str, sensor: Sensor, *, name: str | None, batch: Batch | None, now: datetime
    ) -> Sensor:
        """Rename and/or move an active sensor, conditioned on the version read; a move
        repoints the token item in the same transaction."""
        update = Update(now).require_version(sensor.version).require_status(["active"])
        if name is not None:
            update.set("name", s(name))
        if batch is None:
            self._transact([update.in_transaction(self.table_name, sensor_key(sub, sensor.id))])
            return self.get(sub, sensor.id)
        update.set("batchId", s(batch.id))
        repoint: TransactWriteItemTypeDef = {
            "Update": {
                "TableName": self.table_name,
                "Key": token_key(sensor.token_hash),
                # The version moves, so a reading on its way to the old batch is
                # refused; the last reading leaves, so the stream does not file it again.
                "UpdateExpression": "SET batchId = :batch, kind = :kind, startedAt = :at "
                "ADD version :one REMOVE reading, receivedAt",
                "ConditionExpression": "attribute_exists(PK)",
                "ExpressionAttributeValues": {
                    ":batch": s(batch.id),
                    ":kind": s(batch.kind),
                    ":at": ts(batch.started_at),
                    ":one": n(1),
                },
            }
        }
        self._transact(
            under_open_batch(
                self.table_name,
                sub,
                batch.id,
                update.in_transaction(self.table_name, sensor_key(sub, sensor.id)),
                repoint,
            )
        )
        return self.get(sub, sensor.id)

    def revoke(self, sub: str, sensor: Sensor, now: datetime) -> None:
        """Marks the sensor revoked and deletes its token item, together."""
        update = Update(now).require_status(["active"]).set("status", s("revoked"))
        self._transact(
            [
                update.in_transaction(self.table_name, sensor_key(sub, sensor.id)),
                {"Delete": {"TableName": self.table_name, "Key": token_key(sensor.token_hash)}},
            ]
        )

    def delete_token(self, token_hash: str) -> None:
        """The token stops working (its sensor item is going with the account)."""
        self.client.delete_item(TableName=self.table_name, Key=token_key(token_hash))

    def head(self, token_hash: str) -> TokenHead | None:
        """The read of an ingest that remembers nothing of the token (a cold process, or
        a write refused): None for an unknown or revoked token. Consistent: after a
        refused write, an older copy would only be refused again."""
        response = self.client.get_item(
            TableName=self.table_name, Key=token_key(token_hash), ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else head_from_item(item)

    def post(self, token_hash: str, head: TokenHead, reading: Reading, now: datetime) -> None:
        """The token item carrying `reading`, at `head.version`, if it is still at the
        version before; TokenChanged if not (revoked, moved, or another reading first)."""
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=posted_to_item(token_hash, head, reading, now),
                ConditionExpression="version = :seen",
                ExpressionAttributeValues={":seen": n(head.version - 1)},
            )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise TokenChanged("The ingest token changed meanwhile.") from None
            raise

    def mark_closed(self, token_hash: str, batch_id: str) -> None:
        """The consumer found the token's batch closed: ingest looks at the batch before
        its next write. Nothing if the token went or moved meanwhile."""
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=token_key(token_hash),
                UpdateExpression="SET closed = :yes ADD version :one REMOVE reading, receivedAt",
                ConditionExpression="batchId = :batch",
                ExpressionAttributeValues={
                    ":yes": {"BOOL": True},
                    ":one": n(1),
                    ":batch": s(batch_id),
                },
            )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise

    def _transact(self, items: list[TransactWriteItemTypeDef]) -> None:
        """Runs the transaction; a failed batch check says why (gone or closed), any
        other failed condition means the sensor is not (or no longer) as read."""
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            failed = failed_conditions(exc)
            if not failed:
                raise
            if "ConditionCheck" in items[0] and 0 in failed:
                raise batch_unavailable(failed[0], "its sensors") from None
            raise NotFound(GONE) from None
