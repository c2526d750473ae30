"""CSV export through the Lambda handler, beside a raw boto3 paginated Query of the same
partition: rows per second each, so the ratio is what the CSV layer costs on top of
reading the items."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from app.dev.stack import StackOutputs
from app.domain.ids import new_ulid
from benchmarks.warm_get import NO_CONTEXT, api_event

SUB = "bench-export-0001"


def _fill(client: Any, table: str, rows: int) -> None:
    """Set-up: one batch and `rows - 1` events written straight to the table."""
    batch_id = new_ulid(datetime(2026, 1, 1, tzinfo=UTC))
    pk = {"S": f"USER#{SUB}"}
    items: list[dict[str, Any]] = [
        {
            "PK": pk, "SK": {"S": f"BATCH#{batch_id}"}, "LSI1SK": {"S": batch_id},
            "entity": {"S": "batch"}, "id": {"S": batch_id}, "name": {"S": "bench"},
            "kind": {"S": "kombucha"}, "status": {"S": "active"},
            "startedAt": {"S": "2026-01-01T00:00:00Z"}, "createdAt": {"S": "2026-01-01T00:00:00Z"},
            "updatedAt": {"S": "2026-01-01T00:00:00Z"}, "version": {"N": "1"},
        }
    ]  # fmt: skip
    first = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(rows - 1):
        event_id = new_ulid(first + timedelta(seconds=i))
        items.append({
            "PK": pk, "SK": {"S": f"BATCH#{batch_id}#EVENT#{event_id}"},
            "entity": {"S": "event"}, "id": {"S": event_id}, "batchId": {"S": batch_id},
            "type": {"S": "measure"}, "note": {"S": f"reading {i}, all fine"},
            "ph": {"N": "3.4"}, "temperatureC": {"N": "22.5"},
            "occurredAt": {"S": "2026-01-01T00:00:00Z"},
            "createdAt": {"S": "2026-01-01T00:00:00Z"}, "version": {"N": "1"},
        })  # fmt: skip
    for start in range(0, len(items), 25):
        pending: list[Any] = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        while pending:
            result = client.batch_write_item(RequestItems={table: pending})
            pending = list(result.get("UnprocessedItems", {}).get(table, []))


def measure(outputs: StackOutputs, rows: int = 5000, runs: int = 5) -> tuple[float, float]:
    """(export rows/s, raw Query rows/s), medians over alternating runs.

    Expects the environment `warm_get.measure` set up (endpoint, table, issuer)."""
    from app.entrypoints.export import handler  # the export function serves /export.csv

    raw = boto3.client("dynamodb", region_name=outputs.region)
    _fill(raw, outputs.table_name, rows)
    event = api_event("/export.csv", outputs)
    event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] = SUB

    def export() -> int:
        response = handler(event, NO_CONTEXT)
        assert response["statusCode"] == 200, response
        return int(response["body"].count("\r\n")) - 1

    def raw_query() -> int:
        pages = raw.get_paginator("query").paginate(
            TableName=outputs.table_name,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"USER#{SUB}"}},
        )
        return sum(len(page["Items"]) for page in pages)

    assert export() == raw_query() == rows
    export_rates, raw_rates = [], []
    for _ in range(runs):  # alternate so the emulator's own drift hits both
        export_rates.append(_rate(export))
        raw_rates.append(_rate(raw_query))
    return statistics.median(export_rates), statistics.median(raw_rates)


def _rate(call: Any) -> float:
    started = time.perf_counter()
    count = call()
    return float(count) / (time.perf_counter() - started)


def report(outputs: StackOutputs, target: float = 1.5) -> None:
    """One `make bench` line; the ratio is time per row, export over raw Query."""
    export_rate, raw_rate = measure(outputs)
    ratio = raw_rate / export_rate
    verdict = "ok" if ratio <= target else "OVER TARGET"
    print(
        f"{'CSV export (Lambda handler)':<34} {export_rate:9.0f} r/s | "
        f"{'raw boto3 paginated Query':<28} {raw_rate:9.0f} r/s | "
        f"ratio {ratio:5.2f} (target <= {target}) {verdict}"
    )
