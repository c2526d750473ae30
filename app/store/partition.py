"""Everything in one user's partition, for account deletion.

One Query per page on `PK=USER#<sub>` sees every item the user owns (profile,
batches, events, photos, reminders, devices). A deletion takes a bounded page, deals
with what the page names outside the table (schedules, push-token owners), deletes
it, and takes the next; the query coming back empty means done, so a deletion cut
short anywhere finishes on the next run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from app.domain.reminders import SCHEDULE_MAY_EXIST
from app.store import keys
from app.store.items import Item, key, opt_str
from app.store.table import delete_keys, partition_query

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class PartitionPage(msgspec.Struct, frozen=True):
    """Keys of up to `limit` items, and what they name outside the table: reminders
    whose schedule may still exist (done, sent and cancelled ones have none), push
    tokens whose owner item points at the user, the batches whose readings partitions
    go too (live ones, and deleted ones whose partition holds tombstones until TTL: a
    batch's tombstone names it), and the sensors whose ingest-token items go too."""

    keys: list[Item]
    scheduled_reminder_ids: list[str]
    device_tokens: list[str]
    batch_ids: list[str]
    sensor_token_hashes: list[str]
    # Cultures whose lineage node lives outside the partition, and gift codes by hash.
    culture_ids: list[str] = []
    gift_hashes: list[str] = []


class UserPartition:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    def first_page(self, sub: str, limit: int) -> PartitionPage:
        """The first `limit` items left: one Query (DynamoDB may return fewer, at 1 MB)."""
        params = partition_query(
            self.table_name,
            keys.user_pk(sub),
            ConsistentRead=True,
            Limit=limit,
            ProjectionExpression="PK, SK, entity, id, #status, #token, codeHash, tokenHash, #of",
            ExpressionAttributeNames={"#status": "status", "#token": "token", "#of": "of"},
        )
        items = self.client.query(**params)["Items"]
        return PartitionPage(
            keys=[key(item["PK"]["S"], item["SK"]["S"]) for item in items],
            scheduled_reminder_ids=[
                item["id"]["S"]
                for item in items
                if opt_str(item, "entity") == "reminder"
                and opt_str(item, "status") in SCHEDULE_MAY_EXIST
            ],
            device_tokens=[
                item["token"]["S"] for item in items if opt_str(item, "entity") == "device"
            ],
            culture_ids=[item["id"]["S"] for item in items if opt_str(item, "entity") == "culture"],
            gift_hashes=[
                item["codeHash"]["S"] for item in items if opt_str(item, "entity") == "gift_code"
            ],
            batch_ids=[item["id"]["S"] for item in items if _names_batch(item)],
            sensor_token_hashes=[
                item["tokenHash"]["S"] for item in items if opt_str(item, "entity") == "sensor"
            ],
        )

    def delete(self, item_keys: list[Item]) -> None:
        delete_keys(self.client, self.table_name, item_keys)


def _names_batch(item: Item) -> bool:
    """A batch, or a deleted batch's tombstone."""
    entity = opt_str(item, "entity")
    return entity == "batch" or (entity == "tombstone" and opt_str(item, "of") == "batch")
