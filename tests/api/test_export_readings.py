"""CSV export of readings: each batch's sensor minutes follow its row as `reading`
records, also when a long export is carried on step by step from S3."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import TestClient

from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from tests.api.test_export import export, partition, rows, stepping_app
from tests.conftest import User, new_user
from tests.helpers import add_event, create_batch
from tests.stream import Filer

Client = TestClient[Litestar]
__all__ = ["stepping_app"]  # the fixture, shared with test_export


def register(client: Client, user: User, batch_id: str, name: str) -> dict[str, Any]:
    response = client.post(
        f"/batches/{batch_id}/sensors", json={"name": name}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    registered: dict[str, Any] = response.json()
    return registered


def ingest(client: Client, token: str, at: datetime, **values: float) -> None:
    stamp = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    response = client.post(f"/ingest/{token}", json={**values, "at": stamp})
    assert response.status_code < 300, response.text


def minute_ago(minutes: int) -> datetime:
    return datetime.now(UTC).replace(second=10, microsecond=0) - timedelta(minutes=minutes)


def test_readings_export_as_reading_rows_right_after_their_batch(
    client: Client, stack: StackOutputs, emulator: Emulator, dynamodb: Any, file_readings: Filer
) -> None:
    user = new_user(stack, emulator, "export-readings")
    batch = create_batch(client, user, name="Metered", kind="kombucha")
    add_event(client, user, batch["id"], type="note", note="after the readings")
    sensor = register(client, user, batch["id"], "=cmd|' /C calc'!A0")
    ingest(client, sensor["token"], minute_ago(20), gravity=1.050, temperatureC=22.0, battery=90)
    ingest(client, sensor["token"], minute_ago(20) + timedelta(seconds=30), gravity=1.048)
    ingest(client, sensor["token"], minute_ago(19), ph=3.4)
    file_readings()

    exported = rows(export(client, user))
    kinds = [r["recordType"] for r in exported]
    assert kinds[:4] == ["batch", "reading", "reading", "event"]
    merged, single = exported[1], exported[2]
    minute = minute_ago(20)
    assert merged["id"] == f"{batch['id']}.{sensor['id']}.{minute:%Y-%m-%dT%H:%MZ}"
    assert (merged["batchId"], merged["sensorId"]) == (batch["id"], sensor["id"])
    assert (merged["count"], merged["version"]) == ("2", "2")
    assert float(merged["gravity"]) == 1.049
    assert float(merged["temperatureC"]) == 22.0
    assert float(merged["battery"]) == 90.0
    assert merged["occurredAt"].startswith(f"{minute:%Y-%m-%dT%H:%M}")
    assert (single["ph"], single["gravity"], single["count"]) == ("3.4", "", "1")
    assert merged["other"] == single["other"] == ""
    # The sensor: its name formula-safe, its token's hash not exported.
    [row] = [r for r in exported if r["recordType"] == "sensor"]
    assert (row["id"], row["name"], row["batchId"]) == (
        sensor["id"],
        "'=cmd|' /C calc'!A0",
        batch["id"],
    )
    assert row["other"] == ""
    # Every item of the partition, plus the readings.
    assert len(exported) == len(partition(dynamodb, stack, user)) + 2


def test_a_stepped_export_with_readings_matches_the_inline_one(
    client: Client, stepping_app: Litestar, stack: StackOutputs, emulator: Emulator,
    file_readings: Filer,
) -> None:  # fmt: skip
    user = new_user(stack, emulator, "steps-readings")
    batches = [create_batch(client, user, name=f"Jar {i}") for i in range(3)]
    # The first batch has readings across pages, the second exactly one page, none the third.
    for batch, count in zip(batches, (12, 5, 0), strict=True):
        token = register(client, user, batch["id"], "Tilt")["token"] if count else ""
        for minute in range(count):
            ingest(client, token, minute_ago(60 - minute), gravity=1.040 - minute / 1000)
        for i in range(3):
            add_event(client, user, batch["id"], type="note", note=f"event {i}")
    file_readings()
    inline = export(client, user)
    assert [r["recordType"] for r in rows(inline)].count("reading") == 17

    queries: list[int] = []
    stepping_app.state.exports.store.client.meta.events.register(
        "before-call.dynamodb.Query", lambda **_: queries.append(1)
    )
    with TestClient(stepping_app) as stepping:
        response = stepping.get("/export.csv", headers=user.headers, follow_redirects=False)
        steps: list[int] = []
        while response.status_code == 202:
            queries.clear()
            response = stepping.get(
                response.headers["location"], headers=user.headers, follow_redirects=False
            )
            steps.append(len(queries))
        assert response.status_code == 303, response.text
        assert all(count == 1 for count in steps), steps  # one page per request
        assert httpx.get(response.headers["location"]).content.decode("utf-8") == inline


def test_another_users_readings_are_not_in_the_export(
    client: Client, alice: User, bob: User, file_readings: Filer
) -> None:
    theirs = create_batch(client, alice, name="Alice's metered")
    token = register(client, alice, theirs["id"], "Alice's iSpindel")["token"]
    ingest(client, token, minute_ago(5), gravity=1.030)
    file_readings()
    assert "reading" in export(client, alice)
    text = export(client, bob)
    assert theirs["id"] not in text
    assert "Alice" not in text
