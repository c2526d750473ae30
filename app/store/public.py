"""What a shared batch shows to anyone: read through the sparse GSI1, never by owner.

Only batches with sharing on carry `GSI1PK=PUBLIC#<id>`, so a batch id alone finds a
shared batch and can never reach a private one. The owner's partition key is read
from the index item to fetch the last events and the cover photo, and goes no further
than this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from app.domain.batches import Batch, Event
from app.domain.photos import Photo
from app.store import keys
from app.store.items import batch_from_item, event_from_item, get_ts, key, photo_from_item, s
from app.store.table import events_query, partition_query

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class SharedBatch(msgspec.Struct, frozen=True, kw_only=True):
    owner_sub: str
    batch: Batch
    recent_events: list[Event]
    cover: Photo | None
    # Where a bottle came from, and the culture that made it: linked only while shared.
    parent_shared: bool = False
    culture_shared: bool = False


class PublicStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    def shared_batch(self, batch_id: str, *, events: int = 5) -> SharedBatch | None:
        """The batch if sharing is on, with its last events (newest first) and newest photo.

        Three reads: the index lookup, then the events and the cover in the owner's
        partition. The lookup reads every shared batch under the id (one, unless another
        account pushed a batch under it) and takes the one made first. The index is
        eventually consistent, so turning sharing off takes effect here within a moment,
        not instantly."""
        found = self.client.query(
            TableName=self.table_name,
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :pk AND GSI1SK = :sk",
            ExpressionAttributeValues={
                ":pk": s(keys.public_pk(batch_id)),
                ":sk": s(keys.PUBLIC_SK),
            },
        )["Items"]
        found = [item for item in found if item.get("id", {}).get("S") == batch_id]
        if not found:
            return None
        # A device chooses the ids of batches it pushes, so another account can hold a
        # batch under this id too and share it: the page is the first one's, always.
        found.sort(key=lambda item: get_ts(item, "createdAt"))
        pk = found[0]["PK"]["S"]
        event_items = (
            []
            if events < 1
            else self.client.query(
                **events_query(
                    self.table_name,
                    pk,
                    batch_id,
                    with_batch=False,
                    ScanIndexForward=False,
                    Limit=events,
                )
            )["Items"]
        )
        photo_items = self.client.query(
            **partition_query(
                self.table_name,
                pk,
                begins_with=keys.photo_prefix(batch_id),
                ScanIndexForward=False,
                Limit=1,
            )
        )["Items"]
        batch = batch_from_item(found[0])
        parent_shared, culture_shared = self._links_shared(pk, batch)
        return SharedBatch(
            owner_sub=pk.removeprefix(keys.USER),
            batch=batch,
            recent_events=[event_from_item(item) for item in event_items],
            cover=photo_from_item(photo_items[0]) if photo_items else None,
            parent_shared=parent_shared,
            culture_shared=culture_shared,
        )

    def _links_shared(self, pk: str, batch: Batch) -> tuple[bool, bool]:
        """Whether the bottle's parent batch and the batch's culture are shared: one
        BatchGetItem of the two, only for a batch that has either."""
        wanted = []
        parent = culture = None
        if batch.parent_batch_id is not None:
            parent = key(pk, keys.batch_sk(batch.parent_batch_id))
            wanted.append(parent)
        if batch.culture_id is not None:
            culture = key(keys.lineage_pk(batch.culture_id), keys.NODE)
            wanted.append(culture)
        if not wanted:
            return False, False
        response = self.client.batch_get_item(
            RequestItems={
                self.table_name: {
                    "Keys": wanted,
                    "ProjectionExpression": "PK, SK, GSI1PK, #public",
                    "ExpressionAttributeNames": {"#public": "public"},
                }
            }
        )
        found = response["Responses"].get(self.table_name, [])
        parent_shared = any(
            parent is not None and i["PK"] == parent["PK"] and i["SK"] == parent["SK"]
            and "GSI1PK" in i
            for i in found
        )  # fmt: skip
        culture_shared = any(
            culture is not None and i["PK"] == culture["PK"]
            and i.get("public", {}).get("BOOL", False)
            for i in found
        )  # fmt: skip
        return parent_shared, culture_shared
