"""The alerts function's stream handler (app.entrypoints.alerts) with the records the
emulator's DynamoDB stream holds for readings posted over HTTP: it files them in order,
fails at the first it cannot file, and filing the batch again files the rest without
filing anything twice."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.config import Settings, get_settings
from app.dev.emulator import Emulator
from app.entrypoints import alerts as entrypoint
from app.store.items import posted_from_image
from tests.conftest import User
from tests.helpers import create_batch, function_environment
from tests.stream import Filer

Client = TestClient[Litestar]


@pytest.fixture
def alerts_handler(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, emulator: Emulator
) -> Iterator[Any]:
    """`handler(event, context)` as Lambda calls it: settings from the environment."""
    function_environment(monkeypatch, settings, emulator.endpoint)
    entrypoint._posted.cache_clear()
    entrypoint._check.cache_clear()
    yield entrypoint.handler
    get_settings.cache_clear()
    entrypoint._posted.cache_clear()
    entrypoint._check.cache_clear()


def raw_counts(client: Client, user: User, batch_id: str) -> list[tuple[float, int]]:
    response = client.get(f"/batches/{batch_id}/readings/raw", headers=user.headers)
    assert response.status_code == 200, response.text
    return [(r["ph"], r["count"]) for r in response.json()["items"]]


def test_a_batch_stops_at_the_first_record_it_cannot_file_and_a_retry_files_each_once(
    client: Client, alice: User, alerts_handler: Any, file_readings: Filer
) -> None:
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
    batch = create_batch(client, alice, kind="kombucha", startedAt=start.isoformat())
    token = client.post(
        f"/batches/{batch['id']}/sensors", json={"name": "pH"}, headers=alice.headers
    ).json()["token"]
    for i, ph in enumerate((4.0, 3.9, 3.8)):
        at = (start + timedelta(minutes=i)).isoformat()
        assert client.post(f"/ingest/{token}", json={"ph": ph, "at": at}).status_code == 200
    records = [
        r
        for r in file_readings.tail.records()
        if posted_from_image(r["dynamodb"].get("NewImage") or {}) is not None
    ]
    assert len(records) == 3
    broken = copy.deepcopy(records)
    broken[1]["dynamodb"]["NewImage"]["reading"] = {"S": "{not json"}

    with pytest.raises(msgspec.DecodeError):
        alerts_handler({"Records": broken}, None)
    assert raw_counts(client, alice, batch["id"]) == [(4.0, 1)]

    again = alerts_handler({"Records": records}, None)  # the stream hands them over again
    assert again == {"filed": 3}
    assert raw_counts(client, alice, batch["id"]) == [(4.0, 1), (3.9, 1), (3.8, 1)]


def test_an_event_without_records_runs_the_silence_check(alerts_handler: Any) -> None:
    answer = alerts_handler({"source": "aws.scheduler"}, None)
    assert list(answer) == ["offline"]
    assert isinstance(answer["offline"], int)
