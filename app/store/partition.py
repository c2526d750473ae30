"""Everything in one user's partition, for account deletion.

One Query per page on `PK=USER#<sub>` sees every item the user owns (profile,
batches, events, photos, reminders, devices); deleting pages until the query comes
back empty makes a deletion interrupted halfway finish on the next call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from app.store import keys
from app.store.items import Item, opt_str
from app.store.table import delete_keys, partition_query, query_all

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class Belongings(msgspec.Struct, frozen=True):
    """What a user has outside the partition, named from inside it: the schedules of
    their reminders, the owner items of their push tokens, their cultures' lineage nodes
    and their gift codes (by hash)."""

    reminder_ids: list[str]
    device_tokens: list[str]
    culture_ids: list[str] = []
    gift_hashes: list[str] = []


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

    def belongings(self, sub: str) -> Belongings:
        items = self.items(
            sub, projection="entity, id, #token, codeHash", names={"#token": "token"}
        )
        return Belongings(
            reminder_ids=[i["id"]["S"] for i in items if opt_str(i, "entity") == "reminder"],
            device_tokens=[i["token"]["S"] for i in items if opt_str(i, "entity") == "device"],
            culture_ids=[i["id"]["S"] for i in items if opt_str(i, "entity") == "culture"],
            gift_hashes=[i["codeHash"]["S"] for i in items if opt_str(i, "entity") == "gift_code"],
        )

    def delete_all(self, sub: str) -> int:
        deleted = 0
        while item_keys := self.items(sub, projection="PK, SK"):
            delete_keys(self.client, self.table_name, item_keys)
            deleted += len(item_keys)
        return deleted
