"""Everything in one user's partition, for account deletion.

One Query per page on `PK=USER#<sub>` sees every item the user owns (profile,
batches, events, photos, reminders, devices); deleting pages until the query comes
back empty makes a deletion interrupted halfway finish on the next call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.store import keys
from app.store.items import Item
from app.store.table import delete_keys, partition_query, query_all

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class UserPartition:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    def items(
        self, sub: str, projection: str | None = None, names: dict[str, str] | None = None
    ) -> list[Item]:
        params = partition_query(self.table_name, keys.user_pk(sub), ConsistentRead=True)
        if projection:
            params["ProjectionExpression"] = projection
        if names:
            params["ExpressionAttributeNames"] = names
        return query_all(self.client, params)

    def delete_all(self, sub: str) -> int:
        deleted = 0
        while item_keys := self.items(sub, projection="PK, SK"):
            delete_keys(self.client, self.table_name, item_keys)
            deleted += len(item_keys)
        return deleted
