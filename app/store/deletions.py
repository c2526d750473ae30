"""Account tombstones: `PK=DELETED#<sub>`, `SK=ACCOUNT`, with a TTL (`expiresAt`).

Writes that create something from nothing for a user (the profile on first use, a
batch, a device) carry `not_deleted(sub)` as a ConditionCheck in the same transaction,
so no write can land for an account after its deletion began. Every other write
needs an item that already exists in the partition (a batch, a reminder, a photo),
which the deletion empties, so those need no check of their own.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, cast

from app.domain.accounts import TOMBSTONE_LIFETIME, AccountDeletion, DeletionState
from app.store import keys
from app.store.items import Item, get_ts, key, n, s, ts

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef


def tombstone_key(sub: str) -> Item:
    return key(keys.deleted_account_pk(sub), keys.ACCOUNT)


def not_deleted(table_name: str, sub: str) -> TransactWriteItemTypeDef:
    """A transaction item that cancels the transaction once the account is deleted."""
    return {
        "ConditionCheck": {
            "TableName": table_name,
            "Key": tombstone_key(sub),
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


class DeletionStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    def begin(self, sub: str, username: str, now: datetime) -> AccountDeletion:
        """The tombstone, written on the first call and returned as it is on every later
        one (a retry, a second device): one UpdateItem either way."""
        response = self.client.update_item(
            TableName=self.table_name,
            Key=tombstone_key(sub),
            UpdateExpression="SET entity = :entity, #sub = :sub, "
            "username = if_not_exists(username, :username), "
            "#state = if_not_exists(#state, :deleting), "
            "requestedAt = if_not_exists(requestedAt, :now), expiresAt = :expires",
            ExpressionAttributeNames={"#sub": "sub", "#state": "state"},
            ExpressionAttributeValues={
                ":entity": s("account-deletion"),
                ":sub": s(sub),
                ":username": s(username),
                ":deleting": s("deleting"),
                ":now": ts(now),
                ":expires": n(_expires(now)),
            },
            ReturnValues="ALL_NEW",
        )
        return _deletion(response["Attributes"])

    def get(self, sub: str) -> AccountDeletion | None:
        response = self.client.get_item(
            TableName=self.table_name, Key=tombstone_key(sub), ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else _deletion(item)

    def finish(self, sub: str, now: datetime) -> None:
        """Nothing is left: the tombstone now only has to outlive the account's tokens."""
        self.client.update_item(
            TableName=self.table_name,
            Key=tombstone_key(sub),
            UpdateExpression="SET #state = :deleted, finishedAt = :now, expiresAt = :expires",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={
                ":deleted": s("deleted"),
                ":now": ts(now),
                ":expires": n(_expires(now)),
            },
        )


def _expires(now: datetime) -> int:
    return int((now + TOMBSTONE_LIFETIME).timestamp())


def _deletion(item: Item) -> AccountDeletion:
    return AccountDeletion(
        sub=item["sub"]["S"],
        username=item["username"]["S"],
        state=cast(DeletionState, item["state"]["S"]),
        requested_at=get_ts(item, "requestedAt"),
    )
