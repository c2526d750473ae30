"""Photo items of a batch: `PK=USER#<sub>`, `SK=BATCH#<id>#PHOTO#<photoId>`.

Photo ids are ULIDs, so a reverse query on the prefix lists the newest first and a
`Limit=1` reads the cover of the public page.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from app.domain.errors import NotFound, PhotoAlreadyConfirmed
from app.domain.photos import Photo
from app.store import keys
from app.store.batches import require_batch
from app.store.conditional import failed_conditions, put_new
from app.store.items import (
    batch_key,
    photo_from_item,
    photo_key,
    photo_to_item,
    s,
    tombstone_to_item,
)
from app.store.pages import Page, next_cursor, start_after
from app.store.table import partition_query

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PHOTO_CURSOR_FIELDS = ("SK",)


class PhotoStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    def require_batch(self, sub: str, batch_id: str) -> None:
        """404 unless the caller has this batch: before handing out an upload form."""
        require_batch(self.client, self.table_name, sub, batch_id)

    def add_photo(self, sub: str, photo: Photo, object_key: str) -> None:
        """Stores the photo only while its batch exists and only once."""
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "ConditionCheck": {
                            "TableName": self.table_name,
                            "Key": batch_key(sub, photo.batch_id),
                            "ConditionExpression": "attribute_exists(SK)",
                        }
                    },
                    put_new(self.table_name, photo_to_item(sub, photo, object_key)),
                ]
            )
        except ClientError as exc:
            failed = failed_conditions(exc)
            if 0 in failed:
                raise NotFound("No such batch.") from None
            if 1 in failed:
                raise PhotoAlreadyConfirmed("This photo was already confirmed.") from None
            raise

    def get_photo(self, sub: str, batch_id: str, photo_id: str) -> Photo | None:
        response = self.client.get_item(
            TableName=self.table_name,
            Key=photo_key(sub, batch_id, photo_id),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return None if item is None else photo_from_item(item)

    def list_photos(
        self, sub: str, batch_id: str, *, limit: int, cursor: str | None, consistent: bool = True
    ) -> Page[Photo]:
        """Newest first. An empty first page reads the batch item to tell an empty
        gallery from a batch that is not there."""
        pk = keys.user_pk(sub)
        prefix = keys.photo_prefix(batch_id)
        params = partition_query(
            self.table_name,
            pk,
            begins_with=prefix,
            ScanIndexForward=False,
            Limit=limit,
            ConsistentRead=consistent,
        )
        if cursor is not None:
            params["ExclusiveStartKey"] = start_after(cursor, pk, prefix)
        response = self.client.query(**params)
        items = response["Items"]
        if cursor is None and not items:
            self.require_batch(sub, batch_id)
        return Page(
            items=[photo_from_item(item) for item in items],
            next_cursor=next_cursor(response, PHOTO_CURSOR_FIELDS),
        )

    def delete_photo(self, sub: str, batch_id: str, photo_id: str, now: datetime) -> None:
        """The item and its tombstone (for sync), in one transaction."""
        item_key = photo_key(sub, batch_id, photo_id)
        record = {**item_key, "entity": s("photo"), "id": s(photo_id), "batchId": s(batch_id)}
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self.table_name,
                            "Key": item_key,
                            "ConditionExpression": "attribute_exists(SK)",
                        }
                    },
                    {"Put": {"TableName": self.table_name, "Item": tombstone_to_item(record, now)}},
                ]
            )
        except ClientError as exc:
            if 0 in failed_conditions(exc):
                raise NotFound("No such photo.") from None
            raise
