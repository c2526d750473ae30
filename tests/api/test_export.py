"""CSV export: every record of the caller, formula-safe, streamed page by page; large
exports spill to S3 and answer with a redirect to a short-lived URL."""

from __future__ import annotations

import csv
import io
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.config import Settings
from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.domain.ids import new_ulid
from app.main import create_app
from app.store.export import COLUMNS
from tests.api.test_photos import upload
from tests.api.test_public import share
from tests.conftest import User, new_user
from tests.helpers import add_event, create_batch

Client = TestClient[Litestar]
EVENTS = 20_000
# Peak growth allowed while exporting 20,000 events (~22 MiB of CSV): one 5 MiB S3 part,
# one DynamoDB page (at most 1 MB of items) and the CSV text of that page, with room to spare.
# Measured: about 14 MiB; merely holding the CSV in memory would take 21.8, and the
# items as Python objects several times that.
MEMORY_BOUND = 20 * 1024 * 1024


def rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


def export(client: Client, user: User) -> str:
    response = client.get("/export.csv", headers=user.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "charset=utf-8" in response.headers["content-type"]
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["cache-control"] == "private, no-store"
    return response.content.decode("utf-8")


def partition(dynamodb: Any, stack: StackOutputs, user: User) -> list[dict[str, Any]]:
    pages = dynamodb.get_paginator("query").paginate(
        TableName=stack.table_name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"USER#{user.sub}"}},
        ConsistentRead=True,
    )
    return [item for page in pages for item in page["Items"]]


def test_round_trip_every_record_with_its_values(
    client: Client, stack: StackOutputs, emulator: Emulator, dynamodb: Any
) -> None:
    user = new_user(stack, emulator, "export")
    client.get("/me", headers=user.headers)  # the profile item, where the API keeps one
    kombucha = create_batch(
        client, user, name="Kombucha «first»", kind="kombucha", notes='says "hi",\nthen bye',
        temperatureC=23.5, startedAt="2026-11-01T10:00:00Z",
    )  # fmt: skip
    kefir = create_batch(client, user, name="Kefir")
    share(client, user, kefir)
    feed = add_event(client, user, kombucha["id"], type="feed", note="sugar, tea")
    measure = add_event(client, user, kombucha["id"], type="measure", ph=3.1, gravity=1.01)
    photo = upload(client, user, kombucha["id"])

    exported = rows(export(client, user))
    by_id = {r["id"]: r for r in exported if r["id"]}

    first = by_id[kombucha["id"]]
    assert first["recordType"] == "batch"
    assert (first["name"], first["kind"], first["status"]) == (
        "Kombucha «first»",
        "kombucha",
        "active",
    )
    assert first["notes"] == 'says "hi",\nthen bye'
    assert float(first["temperatureC"]) == 23.5
    assert first["startedAt"].startswith("2026-11-01T10:00:00")
    assert first["public"] == "false"
    assert by_id[kefir["id"]]["public"] == "true"
    assert (by_id[feed["id"]]["recordType"], by_id[feed["id"]]["note"]) == ("event", "sugar, tea")
    assert by_id[feed["id"]]["batchId"] == kombucha["id"]
    assert float(by_id[measure["id"]]["ph"]) == 3.1
    assert float(by_id[measure["id"]]["gravity"]) == 1.01
    shot = by_id[photo["id"]]
    assert (shot["recordType"], shot["contentType"], int(shot["size"])) == (
        "photo",
        "image/png",
        photo["size"],
    )

    # Nothing left out: one row per item of the user's partition, by record type.
    items = partition(dynamodb, stack, user)
    assert len(exported) == len(items)
    assert Counter(r["recordType"] for r in exported) == Counter(i["entity"]["S"] for i in items)
    assert set(Counter(r["recordType"] for r in exported)) >= {"batch", "event", "photo"}
    for row in exported:
        assert user.email not in row["other"]


def test_a_user_only_exports_their_own_records(client: Client, alice: User, bob: User) -> None:
    mine = create_batch(client, bob, name="Bob's")
    theirs = create_batch(client, alice, name="Alice's")
    ids = {r["id"] for r in rows(export(client, bob))}
    assert mine["id"] in ids
    assert theirs["id"] not in ids


@pytest.mark.parametrize(
    "dangerous",
    ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR=1"],
)
def test_cells_a_spreadsheet_would_run_are_escaped(
    client: Client, stack: StackOutputs, emulator: Emulator, dangerous: str
) -> None:
    user = new_user(stack, emulator, "inject")
    batch = create_batch(client, user, name=dangerous, notes=dangerous, temperatureC=-5)
    add_event(client, user, batch["id"], type="note", note=dangerous)
    exported = rows(export(client, user))
    for row in exported:
        for column, value in row.items():
            if value and column not in {"temperatureC", "ph", "gravity", "size", "version"}:
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (column, value)
    batch_row = next(r for r in exported if r["recordType"] == "batch")
    assert batch_row["notes"] == "'" + dangerous
    if not dangerous[0].isspace():  # names are stripped on the way in
        assert batch_row["name"] == "'" + dangerous
    # Numbers stay numbers: "-5" is a value, not a formula.
    assert float(batch_row["temperatureC"]) == -5
    event_row = next(r for r in exported if r["recordType"] == "event")
    assert event_row["note"] == "'" + dangerous


def test_attributes_without_a_column_are_kept_in_other(
    client: Client, stack: StackOutputs, emulator: Emulator, dynamodb: Any
) -> None:
    user = new_user(stack, emulator, "other")
    batch = create_batch(client, user)
    dynamodb.update_item(
        TableName=stack.table_name,
        Key={"PK": {"S": f"USER#{user.sub}"}, "SK": {"S": f"BATCH#{batch['id']}"}},
        UpdateExpression="SET mood = :m, tags = :t",
        ExpressionAttributeValues={":m": {"S": "=fizzy"}, ":t": {"SS": ["b", "a"]}},
    )
    [row] = rows(export(client, user))
    assert msgspec.json.decode(row["other"]) == {"mood": "=fizzy", "tags": ["a", "b"]}


@pytest.fixture(scope="module")
def spilling_client(settings: Settings) -> Iterator[Client]:
    """The app with a 1 KiB inline limit, so a small export takes the S3 path."""
    app = create_app(msgspec.structs.replace(settings, export_inline_max_bytes=1024))
    with TestClient(app) as test_client:
        yield test_client


def test_a_large_export_redirects_to_the_same_csv_in_s3(
    client: Client, spilling_client: Client, stack: StackOutputs, emulator: Emulator
) -> None:
    user = new_user(stack, emulator, "spill")
    batch = create_batch(client, user, name="Spill")
    for i in range(30):
        add_event(client, user, batch["id"], type="note", note=f"event {i} " + "x" * 40)
    inline = export(client, user)
    assert len(inline.encode()) > 1024

    response = spilling_client.get("/export.csv", headers=user.headers, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["cache-control"] == "private, no-store"
    location = response.headers["location"]
    assert f"/exports/{user.sub}/" in location
    download = httpx.get(location)
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.content.decode("utf-8") == inline


def _write_events(dynamodb: Any, stack: StackOutputs, user: User, batch_id: str) -> None:
    """Set-up, not a fake: 20,000 event items written straight to the table."""
    note = "n" * 1000
    pk = {"S": f"USER#{user.sub}"}
    requests = []
    first = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(EVENTS):
        event_id = new_ulid(first + timedelta(seconds=i))
        requests.append({"PutRequest": {"Item": {
            "PK": pk, "SK": {"S": f"BATCH#{batch_id}#EVENT#{event_id}"},
            "entity": {"S": "event"}, "id": {"S": event_id}, "batchId": {"S": batch_id},
            "type": {"S": "note"}, "note": {"S": note}, "ph": {"N": "3.4"},
            "occurredAt": {"S": "2026-01-01T00:00:00Z"},
            "createdAt": {"S": "2026-01-01T00:00:00Z"}, "version": {"N": "1"},
        }}})  # fmt: skip
    for start in range(0, len(requests), 25):
        pending = requests[start : start + 25]
        while pending:
            result = dynamodb.batch_write_item(RequestItems={stack.table_name: pending})
            pending = result.get("UnprocessedItems", {}).get(stack.table_name, [])


def test_exporting_20000_events_keeps_memory_flat(
    client: Client, stack: StackOutputs, emulator: Emulator, dynamodb: Any
) -> None:
    user = new_user(stack, emulator, "bulk")
    batch = create_batch(client, user, name="Busy jar")
    _write_events(dynamodb, stack, user, batch["id"])
    # Build the lazily made S3 client (and load its model) outside the measurement.
    warm = client.post(
        f"/batches/{batch['id']}/photos/upload",
        json={"contentType": "image/png"},
        headers=user.headers,
    )
    assert warm.status_code == 200

    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline, _ = tracemalloc.get_traced_memory()
        response = client.get("/export.csv", headers=user.headers, follow_redirects=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    growth = peak - baseline

    assert response.status_code == 303, response.text[:500]
    total = 0
    lines = 0
    carried = b""  # a "\r" ending one chunk may pair with a "\n" starting the next
    with httpx.stream("GET", response.headers["location"]) as download:
        for chunk in download.iter_bytes():
            total += len(chunk)
            data = carried + chunk
            lines += data.count(b"\r\n")
            carried = data[-1:] if data.endswith(b"\r") else b""
    assert lines == EVENTS + 2  # header, the batch, the events
    assert total > MEMORY_BOUND, "the export must be larger than the bound to prove anything"
    print(f"\nexport {total / 2**20:.1f} MiB, peak memory growth {growth / 2**20:.1f} MiB")
    assert growth < MEMORY_BOUND, f"peak growth {growth / 2**20:.1f} MiB"
