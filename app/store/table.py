"""The Query and BatchWriteItem plumbing every store shares: key conditions written
once, whole results of small queries, and batched deletes that back off.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, Any

from app.domain.errors import ServiceUnavailable
from app.store import keys
from app.store.items import Item, s

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_BATCH_WRITE_LIMIT = 25
# Unprocessed items are retried after a pause drawn from [0, min(cap, base * 2^n)) ("full
# jitter"): writers throttled together do not come back together. Bounded, so a table
# that stays throttled fails the request instead of holding it until the Lambda timeout.
_RETRIES = 8
_BACKOFF_BASE_SECONDS = 0.05
_BACKOFF_CAP_SECONDS = 2.0


def partition_query(
    table_name: str, pk: str, *, begins_with: str | None = None, **options: Any
) -> dict[str, Any]:
    """Query parameters for a partition, or the part of it whose sort keys start alike."""
    params: dict[str, Any] = {
        "TableName": table_name,
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": s(pk)},
        **options,
    }
    if begins_with is not None:
        params["KeyConditionExpression"] += " AND begins_with(SK, :prefix)"
        params["ExpressionAttributeValues"][":prefix"] = s(begins_with)
    return params


def events_query(
    table_name: str, pk: str, batch_id: str, *, with_batch: bool = True, **options: Any
) -> dict[str, Any]:
    """Query parameters for a batch's events in time order. With the batch, the range
    starts at the batch item, which sorts right before its events: one Query then says
    whether the batch exists too."""
    low = keys.batch_sk(batch_id) if with_batch else keys.event_prefix(batch_id)
    return {
        "TableName": table_name,
        "KeyConditionExpression": "PK = :pk AND SK BETWEEN :lo AND :hi",
        "ExpressionAttributeValues": {
            ":pk": s(pk),
            ":lo": s(low),
            ":hi": s(keys.events_upper_bound(batch_id)),
        },
        **options,
    }


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
    """BatchWriteItem in chunks of 25, retrying what DynamoDB leaves unprocessed after
    growing pauses; a table still busy after the last retry answers 503 (what was
    deleted stays deleted, and the caller's retry finishes the rest)."""
    write_all(client, table_name, [{"DeleteRequest": {"Key": key}} for key in item_keys])


def put_items(client: DynamoDBClient, table_name: str, items: list[Item]) -> None:
    """Unconditional puts (tombstones), batched and retried as `delete_keys` is."""
    write_all(client, table_name, [{"PutRequest": {"Item": item}} for item in items])


def write_all(client: DynamoDBClient, table_name: str, all_requests: list[Any]) -> None:
    for start in range(0, len(all_requests), _BATCH_WRITE_LIMIT):
        requests = all_requests[start : start + _BATCH_WRITE_LIMIT]
        retry = 0
        while requests:
            if retry > _RETRIES:
                raise ServiceUnavailable("The table is busy right now; try again.")
            if retry:
                time.sleep(backoff_seconds(retry))
            response = client.batch_write_item(RequestItems={table_name: requests})
            requests = list(response.get("UnprocessedItems", {}).get(table_name, []))
            retry += 1


def backoff_seconds(retry: int) -> float:
    """The pause before the `retry`-th retry (1, 2, …)."""
    ceiling = min(_BACKOFF_CAP_SECONDS, _BACKOFF_BASE_SECONDS * 2 ** (retry - 1))
    return random.uniform(0, ceiling)  # noqa: S311 (jitter, not a secret)
