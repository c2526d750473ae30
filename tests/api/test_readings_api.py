"""Sensors and ingest over HTTP against the emulator: every device format, tokens,
floods, isolation, the series, and the DynamoDB calls each costs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from structlog.contextvars import merge_contextvars
from structlog.testing import capture_logs

from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.domain.sensors import hash_token
from app.store.items import posted_from_image
from tests.conftest import User, new_user
from tests.helpers import add_event, assert_problem, create_batch
from tests.stream import Filer

Client = TestClient[Litestar]
FORM = {"content-type": "application/x-www-form-urlencoded"}


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def now() -> datetime:
    return datetime.now(UTC)


def ferment(client: Client, user: User, kind: str = "kombucha", days: int = 6) -> dict[str, Any]:
    return create_batch(client, user, kind=kind, startedAt=iso(now() - timedelta(days=days)))


def sensor(client: Client, user: User, batch_id: str, name: str = "iSpindel") -> dict[str, Any]:
    response = client.post(
        f"/batches/{batch_id}/sensors", json={"name": name}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def post(client: Client, token: str, payload: Any, **kwargs: Any) -> Any:
    if isinstance(payload, dict):
        return client.post(f"/ingest/{token}", json=payload, **kwargs)
    return client.post(f"/ingest/{token}", content=payload, **kwargs)


def raw(client: Client, user: User, batch_id: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"/batches/{batch_id}/readings/raw", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def readings_items(dynamodb: Any, stack: StackOutputs, user: User, batch_id: str) -> list[Any]:
    items: list[Any] = dynamodb.query(
        TableName=stack.table_name,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :r)",
        ExpressionAttributeValues={
            ":pk": {"S": f"READINGS#{user.sub}#{batch_id}"},
            ":r": {"S": "R#"},
        },
        ConsistentRead=True,
    )["Items"]
    return items


# A tombstone holds which record it was and when it went, nothing the record held.
TOMBSTONE_ATTRIBUTES = {"PK", "SK", "GSI2PK", "GSI2SK", "entity", "of", "id", "batchId",
                        "deletedAt", "expiresAt"}  # fmt: skip


def all_items(dynamodb: Any, stack: StackOutputs) -> list[Any]:
    pages = dynamodb.get_paginator("scan").paginate(TableName=stack.table_name)
    return [item for page in pages for item in page["Items"]]


@pytest.fixture
def calls(app: Litestar) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(event_name: str, **_: Any) -> None:
        seen.append(event_name.rsplit(".", 1)[-1])

    events = app.state.batches.store.client.meta.events
    events.register("before-call.dynamodb", record)
    yield seen
    events.unregister("before-call.dynamodb", record)


# --- sensors ---------------------------------------------------------------------------


def test_register_returns_a_secret_url_once_and_stores_only_its_hash(
    client: Client, alice: User, dynamodb: Any, stack: StackOutputs
) -> None:
    batch = ferment(client, alice)
    created = sensor(client, alice, batch["id"], "Blue iSpindel")
    token = created["token"]
    assert len(token) == 43  # 32 random bytes, base64url: 256 bits
    assert created["ingestUrl"].endswith(f"/ingest/{token}")
    assert created["status"] == "active"
    listed = client.get(f"/batches/{batch['id']}/sensors", headers=alice.headers).json()["items"]
    assert [s["id"] for s in listed] == [created["id"]]
    assert "token" not in listed[0]
    everything = json.dumps(all_items(dynamodb, stack))
    assert token not in everything
    assert created["id"] in everything


def test_the_token_never_reaches_the_logs(client: Client, alice: User) -> None:
    batch = ferment(client, alice)
    token = sensor(client, alice, batch["id"])["token"]
    with capture_logs(processors=[merge_contextvars]) as logs:
        assert post(client, token, {"ph": 3.9}).status_code == 200
        post(client, token, b"{broken")
    assert [line["path"] for line in logs if line["event"] == "request"] == ["/ingest/[token]"] * 2
    assert token not in repr(logs)


def test_rename_move_and_revoke(client: Client, alice: User, file_readings: Filer) -> None:
    first, second = ferment(client, alice), ferment(client, alice)
    created = sensor(client, alice, first["id"])
    assert post(client, created["token"], {"ph": 4.0}).status_code == 200
    file_readings()
    renamed = client.patch(
        f"/sensors/{created['id']}", json={"name": "Tilt red"}, headers=alice.headers
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Tilt red"
    moved = client.patch(
        f"/sensors/{created['id']}", json={"batchId": second["id"]}, headers=alice.headers
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["batchId"] == second["id"]
    assert post(client, created["token"], {"ph": 3.9}).status_code == 200
    file_readings()
    assert [r["ph"] for r in raw(client, alice, first["id"])] == [4.0]
    assert [r["ph"] for r in raw(client, alice, second["id"])] == [3.9]

    revoked = client.delete(f"/sensors/{created['id']}", headers=alice.headers)
    assert revoked.status_code == 204
    assert_problem(post(client, created["token"], {"ph": 3.8}), 404, "not-found")
    file_readings()
    assert len(raw(client, alice, second["id"])) == 1
    assert client.delete(f"/sensors/{created['id']}", headers=alice.headers).status_code == 204
    listed = client.get("/sensors", headers=alice.headers).json()["items"]
    assert {s["id"]: s["status"] for s in listed}[created["id"]] == "revoked"


def test_a_closed_batch_takes_no_sensor_and_no_reading(
    client: Client, alice: User, file_readings: Filer, dynamodb: Any, stack: StackOutputs
) -> None:
    """A reading accepted before its batch closed is dropped when it is filed, and the
    token is marked: the device's next post is refused until the batch reopens."""
    batch = ferment(client, alice)
    created = sensor(client, alice, batch["id"])
    assert post(client, created["token"], {"ph": 3.4}).status_code == 200
    closed = client.patch(
        f"/batches/{batch['id']}", json={"version": 1, "status": "finished"}, headers=alice.headers
    )
    assert closed.status_code == 200, closed.text
    assert_problem(
        client.post(f"/batches/{batch['id']}/sensors", json={"name": "x"}, headers=alice.headers),
        409,
        "batch-closed",
    )
    file_readings()
    assert readings_items(dynamodb, stack, alice, batch["id"]) == []
    assert_problem(post(client, created["token"], {"ph": 3.3}), 409, "batch-closed")
    reopened = client.patch(
        f"/batches/{batch['id']}", json={"version": 2, "status": "active"}, headers=alice.headers
    )
    assert reopened.status_code == 200, reopened.text
    assert post(client, created["token"], {"ph": 3.2}).status_code == 200
    file_readings()
    assert [r["ph"] for r in raw(client, alice, batch["id"])] == [3.2]


# --- formats ---------------------------------------------------------------------------


def excel_serial(at: datetime) -> float:
    return (at - datetime(1899, 12, 30, tzinfo=UTC)).total_seconds() / 86400


FORMATS: list[tuple[str, Any, dict[str, str], dict[str, float]]] = [
    (
        "ispindel",
        {
            "name": "iSpindel01",
            "ID": 9111,
            "token": "",
            "angle": 55.3,
            "temperature": 71.6,
            "temp_units": "F",
            "battery": 3.6,
            "gravity": 1.042,
            "interval": 900,
            "RSSI": -70,
        },
        {},
        {"gravity": 1.042, "temperatureC": 22.0, "battery": 50.0},
    ),
    (
        "gravitymon",
        {
            "name": "gm",
            "ID": "e1",
            "angle": 40,
            "temperature": 21.0,
            "temp_units": "C",
            "gravity": 10.5,
            "corr-gravity": 10.0,
            "gravity-unit": "P",
            "run-time": 1.2,
            "battery": 4.2,
        },
        {},
        {"gravity": 1.04003, "temperatureC": 21.0, "battery": 100.0},
    ),
    (
        "stream",
        {
            "name": "brewpi",
            "temp": 293.15,
            "temp_unit": "K",
            "gravity": 1.033,
            "gravity_unit": "G",
            "ph": 3.6,
            "battery": 80,
            "device_source": "Brewfather",
        },
        {},
        {"gravity": 1.033, "temperatureC": 20.0, "ph": 3.6, "battery": 80.0},
    ),
    (
        "tiltbridge",
        {
            "name": "Red",
            "temp": 68,
            "temp_unit": "F",
            "gravity": 1.020,
            "gravity_unit": "G",
            "device_source": "TiltBridge",
        },
        {},
        {"gravity": 1.020, "temperatureC": 20.0},
    ),
    (
        "rapt",
        {
            "device_id": "9f2",
            "device_name": "Pill",
            "temperature": 19.5,
            "gravity": 1015.0,
            "battery": 64,
            "rssi": -60,
            "created_date": "NOW",
        },
        {},
        {"gravity": 1.015, "temperatureC": 19.5, "battery": 64.0},
    ),
    (
        "generic",
        {"plato": 12.0, "ph": 4.1, "temperatureF": 77.0, "battery": 90},
        {},
        {"gravity": 1.04838, "temperatureC": 25.0, "ph": 4.1, "battery": 90.0},
    ),
]


@pytest.mark.parametrize(
    ("name", "payload", "headers", "expected"), FORMATS, ids=[f[0] for f in FORMATS]
)
def test_each_format_stores_a_reading_in_our_units(
    client: Client,
    alice: User,
    file_readings: Filer,
    name: str,
    payload: dict[str, Any],
    headers: dict[str, str],
    expected: dict[str, float],
) -> None:
    batch = ferment(client, alice)
    token = sensor(client, alice, batch["id"], name)["token"]
    if payload.get("created_date") == "NOW":
        payload = {**payload, "created_date": iso(now() - timedelta(minutes=3))}
    response = post(client, token, payload, headers=headers)
    assert response.status_code == 200, response.text
    file_readings()
    stored = raw(client, alice, batch["id"])
    assert len(stored) == 1
    for field, value in expected.items():
        assert stored[0][field] == pytest.approx(value, abs=1e-4), field


def test_tilt_form_post(client: Client, alice: User, file_readings: Filer) -> None:
    batch = ferment(client, alice)
    token = sensor(client, alice, batch["id"], "Tilt")["token"]
    body = f"Timepoint={excel_serial(now())}&Temp=64.4&SG=1.012&Beer=Jun&Color=RED&Comment="
    response = post(client, token, body.encode(), headers=FORM)
    assert response.status_code == 200, response.text
    assert response.json()["format"] == "tilt-form"
    celsius = client.post(
        f"/ingest/{token}?temp_unit=C",
        content=f"Timepoint={excel_serial(now())}&Temp=18.5&SG=1.011&Beer=Jun".encode(),
        headers=FORM,
    )
    assert celsius.status_code == 200, celsius.text
    file_readings()
    stored = raw(client, alice, batch["id"])
    assert [r["temperatureC"] for r in stored] == [pytest.approx(18.0), pytest.approx(18.5)][
        : len(stored)
    ] or [r["temperatureC"] for r in stored] == [pytest.approx((18.0 + 18.5) / 2)]


def test_tiltbridge_key_in_the_x_api_key_header(
    client: Client, alice: User, file_readings: Filer
) -> None:
    batch = ferment(client, alice)
    token = sensor(client, alice, batch["id"], "TiltBridge")["token"]
    body = {"name": "Red", "temp": 20, "temp_unit": "C", "gravity": 1.01, "gravity_unit": "G"}
    assert client.post("/ingest", json=body, headers={"X-API-KEY": token}).status_code == 200
    assert_problem(client.post("/ingest", json=body), 404, "not-found")
    assert_problem(
        client.post("/ingest", json=body, headers={"X-API-KEY": "x" * 43}), 404, "not-found"
    )
    file_readings()
    assert len(raw(client, alice, batch["id"])) == 1


# --- refusals --------------------------------------------------------------------------


def test_wrong_token_malformed_body_and_oversize_write_nothing(
    client: Client, alice: User, dynamodb: Any, stack: StackOutputs, file_readings: Filer
) -> None:
    batch = ferment(client, alice)
    token = sensor(client, alice, batch["id"])["token"]
    assert_problem(post(client, "A" * 43, {"ph": 3.5}), 404, "not-found")
    assert_problem(post(client, "short", {"ph": 3.5}), 404, "not-found")
    assert_problem(post(client, token, b"{not json"), 400, "validation")
    assert_problem(post(client, token, {"colour": "red"}), 400, "validation")
    assert_problem(post(client, token, {"gravity": 3.5}), 400, "validation")
    assert_problem(
        post(client, token, {"ph": 3.5, "at": iso(now() + timedelta(hours=2))}), 400, "validation"
    )
    assert_problem(post(client, token, {"ph": 3.5, "note": "x" * 5000}), 413, "payload-too-large")
    assert file_readings() == []
    assert readings_items(dynamodb, stack, alice, batch["id"]) == []
    token_item = dynamodb.get_item(
        TableName=stack.table_name,
        Key={"PK": {"S": f"INGEST#{hash_token(token)}"}, "SK": {"S": "TOKEN"}},
    )["Item"]
    assert token_item["version"] == {"N": "1"}
    assert "reading" not in token_item


def test_fast_readings_merge_into_a_minute_and_a_flood_gets_429_with_an_exact_count(
    client: Client, alice: User, dynamodb: Any, stack: StackOutputs, file_readings: Filer
) -> None:
    batch = ferment(client, alice)
    token = sensor(client, alice, batch["id"], "Node-RED")["token"]
    minute = now().replace(second=0, microsecond=0) - timedelta(minutes=5)
    answers = [
        post(client, token, {"ph": 3.0 + i / 100, "at": iso(minute + timedelta(seconds=i))})
        for i in range(40)
    ]
    statuses = [a.status_code for a in answers]
    assert statuses == [200] * 30 + [429] * 10
    flooded = assert_problem(answers[-1], 429, "too-many-readings")
    assert flooded["detail"]
    assert 1 <= int(answers[-1].headers["retry-after"]) <= 60
    file_readings()
    stored = readings_items(dynamodb, stack, alice, batch["id"])
    assert len(stored) == 1
    assert stored[0]["n"]["N"] == "30"
    assert stored[0]["phN"]["N"] == "30"
    [reading] = raw(client, alice, batch["id"])
    assert reading["count"] == 30
    assert reading["ph"] == pytest.approx(sum(3.0 + i / 100 for i in range(30)) / 30)


# --- isolation -------------------------------------------------------------------------


def test_bobs_token_cannot_write_to_alices_batch_and_alices_readings_stay_hers(
    client: Client, alice: User, bob: User, file_readings: Filer
) -> None:
    alices = ferment(client, alice)
    alice_token = sensor(client, alice, alices["id"])["token"]
    assert post(client, alice_token, {"ph": 3.3}).status_code == 200
    assert_problem(
        client.post(f"/batches/{alices['id']}/sensors", json={"name": "mine"}, headers=bob.headers),
        404,
        "not-found",
    )
    bobs = ferment(client, bob)
    bob_sensor = sensor(client, bob, bobs["id"])
    moved = client.patch(
        f"/sensors/{bob_sensor['id']}", json={"batchId": alices["id"]}, headers=bob.headers
    )
    assert_problem(moved, 404, "not-found")
    assert post(client, bob_sensor["token"], {"ph": 5.5}).status_code == 200
    file_readings()
    assert [r["ph"] for r in raw(client, alice, alices["id"])] == [3.3]
    assert [r["ph"] for r in raw(client, bob, bobs["id"])] == [5.5]
    for path in ("/readings", "/readings/raw", "/sensors"):
        assert_problem(
            client.get(f"/batches/{alices['id']}{path}", headers=bob.headers), 404, "not-found"
        )
    assert client.get("/sensors", headers=bob.headers).json()["items"][0]["id"] == bob_sensor["id"]
    alice_sensors = client.get("/sensors", headers=alice.headers).json()["items"]
    assert bob_sensor["id"] not in [s["id"] for s in alice_sensors]


# --- series ----------------------------------------------------------------------------


def test_series_buckets_hold_the_raw_min_and_max(
    client: Client, alice: User, file_readings: Filer
) -> None:
    batch = ferment(client, alice, kind="water_kefir", days=3)
    token = sensor(client, alice, batch["id"])["token"]
    start = now().replace(second=0, microsecond=0) - timedelta(hours=2)
    for i in range(60):
        gravity = 1.040 - i * 0.0002 + (0.003 if i == 17 else 0.0)
        payload = {
            "gravity": round(gravity, 4),
            "temperatureC": 20 + (i % 5),
            "at": iso(start + timedelta(minutes=2 * i)),
        }
        assert post(client, token, payload).status_code == 200
    file_readings()
    add_event(
        client,
        alice,
        batch["id"],
        type="measure",
        gravity=1.05,
        occurredAt=iso(start + timedelta(minutes=1)),
    )
    raw_points = raw(client, alice, batch["id"], limit=1000)
    assert len(raw_points) == 60
    params: dict[str, str | int] = {
        "metric": "gravity",
        "points": 7,
        "from": iso(start),
        "to": iso(start + timedelta(hours=2)),
    }
    response = client.get(f"/batches/{batch['id']}/readings", params=params, headers=alice.headers)
    assert response.status_code == 200, response.text
    series = response.json()
    assert series["unit"] == "SG"
    assert series["rawPoints"] == 61
    assert 1 <= len(series["buckets"]) <= 7
    values = [r["gravity"] for r in raw_points] + [1.05]
    assert min(b["min"] for b in series["buckets"]) == pytest.approx(min(values))
    assert max(b["max"] for b in series["buckets"]) == pytest.approx(max(values))
    assert sum(b["count"] for b in series["buckets"]) == 61
    abv = client.get(
        f"/batches/{batch['id']}/readings",
        params={**params, "metric": "abv"},
        headers=alice.headers,
    ).json()
    assert abv["unit"] == "% ABV"
    # The first reading is the original gravity; the manual 1.050 a minute later is
    # above it (a negative ABV), and the lowest gravity gives the highest ABV.
    assert min(b["min"] for b in abv["buckets"]) == pytest.approx((1.040 - 1.05) * 131.25)
    assert max(b["max"] for b in abv["buckets"]) == pytest.approx((1.040 - min(values)) * 131.25)


def test_raw_readings_are_paged(client: Client, alice: User, file_readings: Filer) -> None:
    batch = ferment(client, alice)
    token = sensor(client, alice, batch["id"])["token"]
    start = now().replace(second=0, microsecond=0) - timedelta(hours=1)
    for i in range(5):
        post(client, token, {"ph": 4.0, "at": iso(start + timedelta(minutes=i))})
    file_readings()
    first = client.get(
        f"/batches/{batch['id']}/readings/raw", params={"limit": 3}, headers=alice.headers
    ).json()
    assert len(first["items"]) == 3
    assert first["nextCursor"]
    second = client.get(
        f"/batches/{batch['id']}/readings/raw",
        params={"limit": 3, "cursor": first["nextCursor"]},
        headers=alice.headers,
    ).json()
    assert len(second["items"]) == 2
    ats = [r["at"] for r in first["items"] + second["items"]]
    assert ats == sorted(ats)


def test_series_refuses_bad_parameters(client: Client, alice: User) -> None:
    batch = ferment(client, alice)
    url = f"/batches/{batch['id']}/readings"
    assert_problem(
        client.get(url, params={"metric": "colour"}, headers=alice.headers), 400, "validation"
    )
    assert_problem(client.get(url, params={"points": 0}, headers=alice.headers), 400, "validation")
    assert_problem(
        client.get(
            url,
            params={"from": iso(now()), "to": iso(now() - timedelta(days=1))},
            headers=alice.headers,
        ),
        400,
        "validation",
    )


# --- DynamoDB calls ----------------------------------------------------------------------


def test_ingest_is_one_put_once_the_token_is_known(
    client: Client, alice: User, calls: list[str]
) -> None:
    batch = ferment(client, alice)
    token = sensor(client, alice, batch["id"])["token"]
    calls.clear()
    assert post(client, token, {"ph": 4.2}).status_code == 200
    assert calls == ["GetItem", "PutItem"]
    calls.clear()
    assert post(client, token, {"ph": 4.1}).status_code == 200
    assert calls == ["PutItem"]
    calls.clear()
    post(client, "B" * 43, {"ph": 4.2})
    assert calls == ["GetItem"]
    calls.clear()
    post(client, token, b"garbage")
    assert calls == []


def test_a_token_item_moved_by_another_writer_is_read_again(
    client: Client, alice: User, calls: list[str], file_readings: Filer
) -> None:
    """A move (here; or another process's reading) raised the token item's version: the
    remembered one fails the condition, nothing is written, and ingest reads it again."""
    first, second = ferment(client, alice), ferment(client, alice)
    created = sensor(client, alice, first["id"])
    assert post(client, created["token"], {"ph": 4.2}).status_code == 200
    moved = client.patch(
        f"/sensors/{created['id']}", json={"batchId": second["id"]}, headers=alice.headers
    )
    assert moved.status_code == 200, moved.text
    calls.clear()
    assert post(client, created["token"], {"ph": 4.1}).status_code == 200
    assert calls == ["PutItem", "GetItem", "PutItem"]
    file_readings()
    assert [r["ph"] for r in raw(client, alice, first["id"])] == [4.2]
    assert [r["ph"] for r in raw(client, alice, second["id"])] == [4.1]


def test_filing_is_one_transaction_once_the_state_is_known_and_once_per_record(
    client: Client, app: Litestar, alice: User, file_readings: Filer, calls: list[str]
) -> None:
    """The consumer reads the alert state once, then writes one transaction per reading;
    a record handed over again is skipped without a write; a state moved by another
    writer (the silence check) is read again."""
    batch = ferment(client, alice)
    token = sensor(client, alice, batch["id"])["token"]
    last = now() - timedelta(hours=3)
    assert post(client, token, {"ph": 4.3, "interval": 60, "at": iso(last)}).status_code == 200
    images = [record["dynamodb"].get("NewImage", {}) for record in file_readings.tail.records()]
    [one] = [posted for image in images if (posted := posted_from_image(image))]
    posted = app.state.posted_readings
    assert posted.readings.client is app.state.batches.store.client  # seen by `calls`
    calls.clear()
    posted.file(one)
    assert calls == ["GetItem", "TransactWriteItems"]
    calls.clear()
    posted.file(one)  # handed over again
    assert calls == []
    app.state.silence_check.run(now())  # moves the state: the remembered one is stale
    assert post(client, token, {"ph": 4.1}).status_code == 200
    calls.clear()
    file_readings()
    assert calls == ["TransactWriteItems", "GetItem", "TransactWriteItems"]
    calls.clear()
    posted.file(one)  # an older record handed over again is still skipped
    assert calls == []
    assert [r["ph"] for r in raw(client, alice, batch["id"])] == [4.3, 4.1]


def test_series_is_one_query_for_the_batch_and_one_per_page(
    client: Client, alice: User, calls: list[str], file_readings: Filer
) -> None:
    batch = ferment(client, alice)
    token = sensor(client, alice, batch["id"])["token"]
    post(client, token, {"ph": 4.2})
    file_readings()
    calls.clear()
    response = client.get(
        f"/batches/{batch['id']}/readings", params={"metric": "ph"}, headers=alice.headers
    )
    assert response.status_code == 200
    assert calls == ["Query", "Query"]


# --- deletion ------------------------------------------------------------------------------


def test_deleting_a_batch_deletes_its_readings_and_revokes_its_sensors(
    client: Client, alice: User, dynamodb: Any, stack: StackOutputs, file_readings: Filer
) -> None:
    batch = ferment(client, alice)
    created = sensor(client, alice, batch["id"])
    assert post(client, created["token"], {"ph": 3.7}).status_code == 200
    file_readings()
    assert readings_items(dynamodb, stack, alice, batch["id"])
    assert client.delete(f"/batches/{batch['id']}", headers=alice.headers).status_code == 204
    # Each reading and the alert state are replaced by a tombstone (for sync; TTL ends it):
    # what they held is gone.
    [reading] = readings_items(dynamodb, stack, alice, batch["id"])
    state = dynamodb.get_item(
        TableName=stack.table_name,
        Key={"PK": {"S": f"READINGS#{alice.sub}#{batch['id']}"}, "SK": {"S": "ALERTS"}},
    )["Item"]
    for buried in (reading, state):
        assert buried["entity"] == {"S": "tombstone"}
        assert set(buried) <= TOMBSTONE_ATTRIBUTES
    gone = client.get(f"/batches/{batch['id']}/readings/raw", headers=alice.headers)
    assert_problem(gone, 404, "not-found")
    assert_problem(post(client, created["token"], {"ph": 3.7}), 404, "not-found")
    listed = {
        s["id"]: s["status"] for s in client.get("/sensors", headers=alice.headers).json()["items"]
    }
    assert listed[created["id"]] == "revoked"


def test_deleting_the_account_leaves_no_readings_and_no_live_token(
    client: Client, stack: StackOutputs, emulator: Emulator, dynamodb: Any, file_readings: Filer
) -> None:
    leaving = new_user(stack, emulator, "leaving")
    batch = ferment(client, leaving)
    token = sensor(client, leaving, batch["id"])["token"]
    assert post(client, token, {"ph": 3.7}).status_code == 200
    file_readings()
    rules = client.put(
        f"/batches/{batch['id']}/alerts/rules", json={"phTarget": 3.1}, headers=leaving.headers
    )
    assert rules.status_code == 200
    revoked = sensor(client, leaving, batch["id"], name="Old meter")
    assert client.delete(f"/sensors/{revoked['id']}", headers=leaving.headers).status_code == 204
    # A batch deleted before the account: its readings partition holds tombstones.
    gone = ferment(client, leaving)
    moved = sensor(client, leaving, gone["id"])["token"]
    assert post(client, moved, {"gravity": 1.02}).status_code == 200
    file_readings()
    assert client.delete(f"/batches/{gone['id']}", headers=leaving.headers).status_code == 204
    assert post(client, token, {"ph": 3.6}).status_code == 200  # on its way when...
    assert client.delete("/me", headers=leaving.headers).status_code == 204
    file_readings()  # ...the account went: dropped, not filed
    # Only the deletion's tombstone (DELETED#<sub>, with a TTL) still names the account.
    left = [i for i in all_items(dynamodb, stack) if leaving.sub in json.dumps(i)]
    assert [i["PK"]["S"] for i in left] == [f"DELETED#{leaving.sub}"]
    assert_problem(post(client, token, {"ph": 3.7}), 404, "not-found")
