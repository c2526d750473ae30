"""Photo items of a batch: `PK=USER#<sub>`, `SK=BATCH#<id>#PHOTO#<photoId>`.

Photo ids are ULIDs, so a reverse query on the prefix lists the newest first and a
`Limit=1` reads the cover of the public page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from app.aws_errors import error_code
from app.domain.errors import InvalidCursor, NotFound, PhotoAlreadyConfirmed
from app.domain.ids import is_ulid
from app.domain.photos import Photo, PhotoContentType
from app.store import keys
from app.store.batches import Page
from app.store.cursor import decode_cursor, encode_cursor
from app.store.items import Item, get_ts, n, s, ts

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PHOTO_CURSOR_FIELDS = ("SK",)


def photo_to_item(sub: str, photo: Photo, object_key: str) -> Item:
    item: Item = {
        "PK": s(keys.user_pk(sub)),
        "SK": s(keys.photo_sk(photo.batch_id, photo.id)),
        "entity": s("photo"),
        "id": s(photo.id),
        "batchId": s(photo.batch_id),
        "objectKey": s(object_key),
        "contentType": s(photo.content_type),
        "size": n(photo.size),
        "createdAt": ts(photo.created_at),
        "version": n(1),
    }
    if photo.width is not None and photo.height is not None:
        item["width"] = n(photo.width)
        item["height"] = n(photo.height)
    return item


def photo_from_item(item: Item) -> Photo:
    return Photo(
        id=item["id"]["S"],
        batch_id=item["batchId"]["S"],
        content_type=cast(PhotoContentType, item["contentType"]["S"]),
        size=int(item["size"]["N"]),
        width=int(item["width"]["N"]) if "width" in item else None,
        height=int(item["height"]["N"]) if "height" in item else None,
        created_at=get_ts(item, "createdAt"),
    )


class PhotoStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    def require_batch(self, sub: str, batch_id: str) -> None:
        """404 unless the caller has this batch: before handing out an upload form."""
        response = self.client.get_item(
            TableName=self.table_name,
            Key={"PK": s(keys.user_pk(sub)), "SK": s(keys.batch_sk(batch_id))},
            ProjectionExpression="SK",
            ConsistentRead=True,
        )
        if "Item" not in response:
            raise NotFound("No such batch.")

    def add_photo(self, sub: str, photo: Photo, object_key: str) -> None:
        """Stores the photo only while its batch exists and only once."""
        pk = keys.user_pk(sub)
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "ConditionCheck": {
                            "TableName": self.table_name,
                            "Key": {"PK": s(pk), "SK": s(keys.batch_sk(photo.batch_id))},
                            "ConditionExpression": "attribute_exists(SK)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": photo_to_item(sub, photo, object_key),
                            "ConditionExpression": "attribute_not_exists(SK)",
                        }
                    },
                ]
            )
        except ClientError as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            reasons: list[dict[str, Any]] = list(exc.response.get("CancellationReasons", []))  # type: ignore[arg-type]
            codes = [reason.get("Code") for reason in reasons]
            if codes[:1] == ["ConditionalCheckFailed"]:
                raise NotFound("No such batch.") from None
            if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                raise PhotoAlreadyConfirmed("This photo was already confirmed.") from None
            raise

    def get_photo(self, sub: str, batch_id: str, photo_id: str) -> Photo | None:
        response = self.client.get_item(
            TableName=self.table_name,
            Key={"PK": s(keys.user_pk(sub)), "SK": s(keys.photo_sk(batch_id, photo_id))},
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
        params: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {":pk": s(pk), ":prefix": s(prefix)},
            "ScanIndexForward": False,
            "Limit": limit,
            "ConsistentRead": consistent,
        }
        if cursor is not None:
            start = decode_cursor(cursor, PHOTO_CURSOR_FIELDS)
            if not start["SK"].startswith(prefix) or not is_ulid(start["SK"][len(prefix) :]):
                raise InvalidCursor("The cursor is not one this API issued.")
            params["ExclusiveStartKey"] = {"PK": s(pk), "SK": s(start["SK"])}
        response = self.client.query(**params)
        items = response["Items"]
        if cursor is None and not items:
            self.require_batch(sub, batch_id)
        last_key = response.get("LastEvaluatedKey")
        return Page(
            items=[photo_from_item(item) for item in items],
            next_cursor=encode_cursor(last_key, PHOTO_CURSOR_FIELDS) if last_key else None,
        )

    def delete_photo(self, sub: str, batch_id: str, photo_id: str) -> None:
        try:
            self.client.delete_item(
                TableName=self.table_name,
                Key={"PK": s(keys.user_pk(sub)), "SK": s(keys.photo_sk(batch_id, photo_id))},
                ConditionExpression="attribute_exists(SK)",
            )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise NotFound("No such photo.") from None
            raise
