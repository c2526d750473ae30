"""Writing a batch's bottles: one transaction, on condition the parent is still open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from app.domain.batches import Batch, Event
from app.store.batches import add_to_culture, batch_unavailable, under_open_batch
from app.store.conditional import failed_conditions, put_new
from app.store.items import batch_to_item, event_to_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class BottleStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    def add_bottles(self, sub: str, parent_id: str, event: Event, bottles: list[Batch]) -> None:
        """The parent's "bottle" event and every bottle, or nothing; bottles of a culture's
        batch are that culture's too (on its item, like any batch it made), unless the
        culture was deleted meanwhile."""
        puts = [put_new(self.table_name, batch_to_item(sub, b)) for b in bottles]
        items = under_open_batch(
            self.table_name, sub, parent_id, put_new(self.table_name, event_to_item(sub, event)),
            *puts,
        )  # fmt: skip
        culture_id = bottles[0].culture_id if bottles else None
        if culture_id is not None:
            items.append(add_to_culture(self.table_name, sub, culture_id, *bottles))
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            failed = failed_conditions(exc)
            if 0 in failed:
                raise batch_unavailable(failed[0], "it can no longer be bottled") from None
            if culture_id is None or len(items) - 1 not in failed:
                raise
            self.client.transact_write_items(TransactItems=items[:-1])
