"""Pulling 10,000 changes through GET /sync (the Lambda handler, page after page) beside
a raw boto3 paginated Query of the same index with the same page size: the ratio is
what cursors, mapping and JSON cost on top of reading the items."""

from __future__ import annotations

import json
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import boto3

from app.dev.stack import StackOutputs
from app.domain.batches import Batch, Event
from app.domain.ids import new_ulid
from app.store.items import batch_to_item, event_to_item
from benchmarks.warm_get import NO_CONTEXT, api_event

SUB = "bench-sync-0001"
PAGE = 1000


def _fill(client: Any, table: str, changes: int) -> None:
    """Set-up: 10 batches and their events, written with the app's own mappers (so
    they carry the change-feed keys exactly as the app writes them)."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    items = []
    batch_ids = []
    for b in range(10):
        at = start + timedelta(minutes=b)
        batch = Batch(
            id=new_ulid(at), name=f"bench {b}", kind="kombucha", status="active",
            started_at=at, notes=None, temperature_c=22.0, created_at=at, updated_at=at,
            version=1,
        )  # fmt: skip
        batch_ids.append(batch.id)
        items.append(batch_to_item(SUB, batch))
    for i in range(changes - len(items)):
        at = start + timedelta(hours=1, seconds=i)
        event = Event(
            id=new_ulid(at), batch_id=batch_ids[i % 10], type="measure", occurred_at=at,
            note=f"reading {i}", ph=3.4, temperature_c=22.5, gravity=None, created_at=at,
        )  # fmt: skip
        items.append(event_to_item(SUB, event))
    for first in range(0, len(items), 25):
        pending: list[Any] = [{"PutRequest": {"Item": item}} for item in items[first : first + 25]]
        while pending:
            result = client.batch_write_item(RequestItems={table: pending})
            pending = list(result.get("UnprocessedItems", {}).get(table, []))


def measure(outputs: StackOutputs, changes: int = 10_000, runs: int = 3) -> tuple[float, float]:
    """(handler ms, raw Query ms) for the whole feed, medians over alternating runs.

    Expects the environment `warm_get.measure` set up (endpoint, table, issuer)."""
    from app.entrypoints.api import handler

    raw = boto3.client("dynamodb", region_name=outputs.region)
    _fill(raw, outputs.table_name, changes)

    def pull_all() -> int:
        cursor: str | None = None
        count = 0
        while True:
            event = api_event("/sync", outputs)
            event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] = SUB
            query = {"limit": PAGE} | ({"cursor": cursor} if cursor else {})
            event["rawQueryString"] = urlencode(query)
            response = handler(event, NO_CONTEXT)
            assert response["statusCode"] == 200, response
            page = json.loads(response["body"])
            count += sum(len(g["upserts"]) + len(g["deletions"]) for g in page["changes"].values())
            if not page["hasMore"]:
                return count
            cursor = page["nextCursor"]

    def raw_query() -> int:
        pages = raw.get_paginator("query").paginate(
            TableName=outputs.table_name,
            IndexName="GSI2",
            KeyConditionExpression="GSI2PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"USER#{SUB}"}},
            PaginationConfig={"PageSize": PAGE},
        )
        return sum(len(page["Items"]) for page in pages)

    assert pull_all() == raw_query() == changes
    handler_ms, raw_ms = [], []
    for _ in range(runs):  # alternate so the emulator's own drift hits both
        handler_ms.append(_ms(pull_all))
        raw_ms.append(_ms(raw_query))
    return statistics.median(handler_ms), statistics.median(raw_ms)


def _ms(call: Any) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000
