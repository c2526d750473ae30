"""Everything in one user's partition, for account deletion.

One Query per page on `PK=USER#<sub>` sees every item the user owns (profile,
batches, events, photos, reminders, devices); deleting pages until the query comes
back empty makes a deletion interrupted halfway finish on the next call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from app.store import keys
from app.store.items import Item, s

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_BATCH_WRITE_LIMIT = 25


class Belongings(msgspec.Struct, frozen=True):
    """What a user has outside the partition, named from inside it: the schedules of
    their reminders and the owner items of their push tokens."""

    reminder_ids: list[str]
    device_tokens: list[str]


class UserPartition:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    def items(
        self, sub: str, projection: str | None = None, names: dict[str, str] | None = None
    ) -> list[Item]:
        params: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": s(keys.user_pk(sub))},
            "ConsistentRead": True,
        }
        if projection:
            params["ProjectionExpression"] = projection
        if names:
            params["ExpressionAttributeNames"] = names
        return query_all(self.client, params)

    def belongings(self, sub: str) -> Belongings:
        items = self.items(sub, projection="entity, id, #token", names={"#token": "token"})
        return Belongings(
            reminder_ids=[item["id"]["S"] for item in items if _entity(item) == "reminder"],
            device_tokens=[item["token"]["S"] for item in items if _entity(item) == "device"],
        )

    def delete_all(self, sub: str) -> int:
        deleted = 0
        while item_keys := self.items(sub, projection="PK, SK"):
            delete_keys(self.client, self.table_name, item_keys)
            deleted += len(item_keys)
        return deleted


def _entity(item: Item) -> str | None:
    value = item.get("entity")
    return None if value is None else str(value["S"])


def query_all(client: DynamoDBClient, params: dict[str, Any]) -> list[Item]:
    """Every item a Query matches, page after page (for sets known to be small)."""
    found: list[Item] = []
    params = dict(params)
    while True:
        response = client.query(**params)
        found.extend(response["Items"])
        if "LastEvaluatedKey" not in response:
            return found
        params["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def delete_keys(client: DynamoDBClient, table_name: str, item_keys: list[Item]) -> None:
    """BatchWriteItem in chunks of 25, retrying what DynamoDB leaves unprocessed."""
    for start in range(0, len(item_keys), _BATCH_WRITE_LIMIT):
        requests: list[Any] = [
            {"DeleteRequest": {"Key": key}} for key in item_keys[start : start + _BATCH_WRITE_LIMIT]
        ]
        while requests:
            response = client.batch_write_item(RequestItems={table_name: requests})
            requests = list(response.get("UnprocessedItems", {}).get(table_name, []))
