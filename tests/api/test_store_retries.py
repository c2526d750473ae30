"""Unprocessed batch writes: retried after growing, jittered pauses, and given up on.

The emulator never throttles, so a botocore hook on a real client turns its answers
into "unprocessed" for as many calls as a test says; the writes themselves still go
to the emulator.
"""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest

from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.domain.errors import ServiceUnavailable
from app.store import table
from app.store.items import Item, key, s
from app.store.table import backoff_seconds, delete_keys


class Throttle:
    """Reports every request of the next `calls` BatchWriteItems back as unprocessed."""

    def __init__(self, calls: int) -> None:
        self.calls = calls
        self.seen = 0
        self._requests: Any = None

    def capture(self, params: dict[str, Any], **_: Any) -> None:
        self._requests = params["RequestItems"]

    def answer(self, parsed: dict[str, Any], **_: Any) -> None:
        self.seen += 1
        if self.seen <= self.calls:
            parsed["UnprocessedItems"] = self._requests


@pytest.fixture
def own_dynamodb(emulator: Emulator, stack: StackOutputs) -> Any:
    """A client of its own, so the hooks reach no other test."""
    return boto3.client("dynamodb", endpoint_url=emulator.endpoint, region_name=stack.region)


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The retries `delete_keys` pauses before, recorded instead of slept."""
    asked: list[int] = []

    def record(retry: int) -> float:
        asked.append(retry)
        return 0.0

    monkeypatch.setattr(table, "backoff_seconds", record)
    return asked


def throttled(dynamodb: Any, calls: int) -> Throttle:
    throttle = Throttle(calls)
    dynamodb.meta.events.register("provide-client-params.dynamodb.BatchWriteItem", throttle.capture)
    dynamodb.meta.events.register("after-call.dynamodb.BatchWriteItem", throttle.answer)
    return throttle


def stored_keys(dynamodb: Any, table_name: str, count: int) -> list[Item]:
    pk = f"USER#retries-{uuid.uuid4().hex}"
    item_keys = [key(pk, f"ITEM#{i:03}") for i in range(count)]
    for item_key in item_keys:
        dynamodb.put_item(TableName=table_name, Item={**item_key, "entity": s("test")})
    return item_keys


def left(dynamodb: Any, table_name: str, item_keys: list[Item]) -> int:
    response = dynamodb.query(
        TableName=table_name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": item_keys[0]["PK"]},
        ConsistentRead=True,
    )
    return len(response["Items"])


def test_pauses_grow_with_the_retry_and_stop_at_a_cap() -> None:
    for retry, ceiling in ((1, 0.05), (2, 0.1), (4, 0.4), (6, 1.6), (7, 2.0), (30, 2.0)):
        drawn = [backoff_seconds(retry) for _ in range(500)]
        assert all(0 <= pause <= ceiling for pause in drawn)
        # Jitter spreads the pauses over the whole range, not at its top or bottom.
        assert min(drawn) < ceiling / 4
        assert max(drawn) > ceiling * 3 / 4


def test_unprocessed_deletes_are_retried_until_done(
    own_dynamodb: Any, stack: StackOutputs, pauses: list[int]
) -> None:
    item_keys = stored_keys(own_dynamodb, stack.table_name, 30)
    throttle = throttled(own_dynamodb, calls=2)

    delete_keys(own_dynamodb, stack.table_name, item_keys)

    assert left(own_dynamodb, stack.table_name, item_keys) == 0
    assert pauses == [1, 2]  # the first chunk of 25, twice; the second went through
    assert throttle.seen == 4


def test_deletes_give_up_when_the_table_stays_busy(
    own_dynamodb: Any, stack: StackOutputs, pauses: list[int]
) -> None:
    item_keys = stored_keys(own_dynamodb, stack.table_name, 3)
    throttle = throttled(own_dynamodb, calls=1000)

    with pytest.raises(ServiceUnavailable):
        delete_keys(own_dynamodb, stack.table_name, item_keys)

    assert pauses == [1, 2, 3, 4, 5, 6, 7, 8]
    assert throttle.seen == 9
