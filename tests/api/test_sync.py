"""GET /sync: the change feed of one user, paged from a cursor, replayed like a device
would, and compared with the full snapshot and with the table itself."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.config import Settings
from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.domain.batches import new_batch
from app.main import create_app
from app.store import keys
from app.store.items import batch_to_item
from tests.conftest import User, new_user
from tests.expo_server import new_token
from tests.helpers import add_event, assert_problem, create_batch, wait_until
from tests.stream import Filer

Client = TestClient[Litestar]
Replica = dict[tuple[str, str], dict[str, Any]]
# Items in a user's partition that sync reports, by their `entity`, under these groups.
GROUPS = {
    "batch": "batches",
    "event": "events",
    "reminder": "reminders",
    "photo": "photos",
    "device": "devices",
    "profile": "profile",
    "sensor": "sensors",
    # In each batch's readings partition:
    "reading": "readings",
    "alert-state": "alerts",
}


@pytest.fixture
def user(stack: StackOutputs, emulator: Emulator) -> User:
    """A user of one's own: the state compared must be this test's alone."""
    return new_user(stack, emulator, "sync")


def pull(client: Client, user: User, cursor: str | None = None, limit: int = 500) -> Any:
    params: dict[str, Any] = {"limit": limit}
    if cursor is not None:
        params["cursor"] = cursor
    response = client.get("/sync", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


def pull_all(client: Client, user: User, cursor: str | None, limit: int) -> Iterator[Any]:
    while True:
        page = pull(client, user, cursor, limit)
        yield page
        cursor = page["nextCursor"]
        if not page["hasMore"]:
            return


def apply(replica: Replica, page: Any) -> None:
    """What README tells the app to do: within a page the later change wins (upserts by
    `updatedAt`, deletions by `deletedAt`); an upsert not newer than what is held (by
    version) is dropped, as repeats from the overlap are."""
    changes = []
    for group, found in page["changes"].items():
        changes += [(u["updatedAt"], group, u["id"], u) for u in found["upserts"]]
        changes += [(d["deletedAt"], group, d["id"], None) for d in found["deletions"]]
    for _, group, record_id, record in sorted(changes, key=lambda c: _instant(c[0])):
        held = replica.get((group, record_id))
        if record is None:
            replica.pop((group, record_id), None)
        elif held is None or held["version"] <= record["version"]:
            replica[(group, record_id)] = record


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def replay(client: Client, user: User, cursor: str | None, replica: Replica, limit: int) -> str:
    for page in pull_all(client, user, cursor, limit):
        apply(replica, page)
    return str(page["nextCursor"])


def server_state(
    dynamodb: Any, settings: Settings, user: User, batch_ids: Iterable[str] = ()
) -> set[tuple[str, str, int]]:
    """(group, id, version) of every record in the user's partition and in the readings
    partitions of `batch_ids` (deleted or not), read consistently."""
    partitions = [f"USER#{user.sub}", *(f"READINGS#{user.sub}#{b}" for b in batch_ids)]
    state = set()
    for pk in partitions:
        pages = dynamodb.get_paginator("query").paginate(
            TableName=settings.table_name,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
            ConsistentRead=True,
        )
        for item in (item for page in pages for item in page["Items"]):
            group = GROUPS.get(item.get("entity", {}).get("S", ""))
            if group is None:
                continue
            batch_id = pk.rpartition("#")[2]
            if group == "profile":
                record_id = user.sub
            elif group == "devices":
                record_id = item["SK"]["S"].split("#")[-1]
            elif group == "readings":
                record_id = keys.reading_id(batch_id, item["SK"]["S"])
            elif group == "alerts":
                record_id = batch_id
            else:
                record_id = item["id"]["S"]
            # A minute reading's version is how many readings merged into it.
            version = item["n"] if group == "readings" else item["version"]
            state.add((group, record_id, int(version["N"])))
    return state


def held(replica: Replica) -> set[tuple[str, str, int]]:
    return {(group, record_id, r["version"]) for (group, record_id), r in replica.items()}


def test_two_devices_interleaved_then_paging_from_an_old_cursor_matches_the_server(
    client: Client, user: User, dynamodb: Any, settings: Settings
) -> None:
    # Device A pulls its first snapshot, then goes offline.
    device_a: Replica = {}
    old_cursor = replay(client, user, None, device_a, limit=500)
    # Meanwhile both devices (the same user) create, update and delete, interleaved.
    kept = create_batch(client, user, name="Kept")
    dropped = create_batch(client, user, name="Dropped")
    first = add_event(client, user, kept["id"])
    add_event(client, user, dropped["id"])
    client.patch(
        f"/batches/{kept['id']}", json={"version": 1, "name": "Renamed"}, headers=user.headers
    ).raise_for_status()
    second = add_event(client, user, kept["id"], type="taste", note="tangy")
    client.delete(
        f"/batches/{kept['id']}/events/{first['id']}", headers=user.headers
    ).raise_for_status()
    token = new_token()
    client.post(
        "/devices", json={"token": token, "platform": "ios"}, headers=user.headers
    ).raise_for_status()
    client.patch("/me", json={"displayName": "Sync tester"}, headers=user.headers)
    client.delete(f"/batches/{dropped['id']}", headers=user.headers).raise_for_status()
    client.patch(
        f"/batches/{kept['id']}", json={"version": 2, "status": "paused"}, headers=user.headers
    ).raise_for_status()
    third = create_batch(client, user, name="Third")
    client.delete(
        f"/devices/{hashlib.sha256(token.encode()).hexdigest()}", headers=user.headers
    ).raise_for_status()

    # Device A pages from its old cursor, three records at a time.
    replay(client, user, old_cursor, device_a, limit=3)
    # A new device takes the full snapshot.
    fresh: Replica = {}
    replay(client, user, None, fresh, limit=4)

    truth = server_state(dynamodb, settings, user)
    assert held(device_a) == truth
    assert held(fresh) == truth
    assert ("batches", kept["id"], 3) in truth
    assert {("events", second["id"], 1), ("batches", third["id"], 1)} <= truth
    assert not any(record_id == dropped["id"] for _, record_id, _ in truth)
    assert device_a[("batches", kept["id"])]["name"] == "Renamed"
    assert device_a[("batches", kept["id"])]["status"] == "paused"


def test_deleting_a_batch_sends_tombstones_for_everything_under_it(
    client: Client, user: User
) -> None:
    batch = create_batch(client, user)
    events = [add_event(client, user, batch["id"]) for _ in range(3)]
    cursor = replay(client, user, None, {}, limit=500)
    client.delete(f"/batches/{batch['id']}", headers=user.headers).raise_for_status()

    page = pull(client, user, cursor)
    changes = page["changes"]
    assert [d["id"] for d in changes["batches"]["deletions"]] == [batch["id"]]
    deleted_events = changes["events"]["deletions"]
    assert sorted(d["id"] for d in deleted_events) == sorted(e["id"] for e in events)
    assert {d["batchId"] for d in deleted_events} == {batch["id"]}
    assert changes["batches"]["upserts"] == []
    assert page["hasMore"] is False


def test_an_event_logged_offline_keeps_its_own_time(client: Client, user: User) -> None:
    batch = create_batch(client, user)
    cursor = replay(client, user, None, {}, limit=500)
    occurred = (datetime.now(UTC) - timedelta(days=2)).replace(microsecond=0)
    event = add_event(client, user, batch["id"], occurredAt=occurred.isoformat())
    assert _instant(event["occurredAt"]) == occurred

    upserts = pull(client, user, cursor)["changes"]["events"]["upserts"]
    assert [(u["id"], _instant(u["occurredAt"])) for u in upserts] == [(event["id"], occurred)]
    # Its change time is when the server got it, so a device that pulled before sees it.
    assert _instant(upserts[0]["updatedAt"]) > occurred + timedelta(days=1)


def test_a_cursor_past_the_horizon_answers_410(
    settings: Settings, user: User, client: Client
) -> None:
    short = msgspec.structs.replace(settings, sync_horizon_seconds=1)
    with TestClient(create_app(short)) as short_client:
        create_batch(client, user)
        cursor = pull(short_client, user)["nextCursor"]
        assert wait_until(
            lambda: (
                short_client.get(
                    "/sync", params={"cursor": cursor}, headers=user.headers
                ).status_code
                == 410
            ),
            timeout=10,
        )
        gone = short_client.get("/sync", params={"cursor": cursor}, headers=user.headers)
    assert_problem(gone, 410, "resync")
    # The remedy it names works: a pull without a cursor.
    assert pull(client, user)["changes"]["batches"]["upserts"]


def test_another_users_changes_never_appear(
    client: Client, user: User, stack: StackOutputs, emulator: Emulator
) -> None:
    other = new_user(stack, emulator, "other")
    theirs = create_batch(client, other)
    add_event(client, other, theirs["id"])
    client.delete(f"/batches/{theirs['id']}", headers=other.headers).raise_for_status()
    mine = create_batch(client, user)

    replica: Replica = {}
    replay(client, user, None, replica, limit=2)
    assert {record_id for _, record_id in replica} == {mine["id"]}
    # Their cursor replays only the caller's own feed: the partition comes from the token.
    their_cursor = pull(client, other, limit=1)["nextCursor"]
    page = pull(client, user, their_cursor)
    ids = [
        entry["id"]
        for group in page["changes"].values()
        for entry in group["upserts"] + group["deletions"]
    ]
    assert theirs["id"] not in ids


def test_a_tampered_cursor_is_refused(client: Client, user: User) -> None:
    for cursor in ("nonsense", "eyJhdCI6IngiLCJzayI6IiJ9"):
        response = client.get("/sync", params={"cursor": cursor}, headers=user.headers)
        assert_problem(response, 400, "invalid-cursor")
    assert_problem(
        client.get("/sync", params={"limit": 0}, headers=user.headers), 400, "validation"
    )
    assert client.get("/sync").status_code == 401


def test_records_unchanged_for_longer_than_the_horizon_still_sync(
    client: Client, user: User, dynamodb: Any, settings: Settings
) -> None:
    """The horizon counts from the device's last pull, not from the records' change
    times: a snapshot pages through months-old records, and a quiet account's recent
    cursor stays valid."""
    long_ago = datetime.now(UTC) - timedelta(days=90)
    old_ids = []
    for day in range(3):
        at = long_ago + timedelta(days=day)
        batch = new_batch(name=f"Old {day}", kind="other", started_at=at, notes=None,
                          temperature_c=None, now=at)  # fmt: skip
        dynamodb.put_item(TableName=settings.table_name, Item=batch_to_item(user.sub, batch))
        old_ids.append(batch.id)
    replica: Replica = {}
    cursor = replay(client, user, None, replica, limit=1)
    assert {record_id for _, record_id in replica} == set(old_ids)
    page = pull(client, user, cursor)
    assert page["hasMore"] is False
    # Only repeats from the overlap before the cursor: records the device holds as they are.
    repeats = {
        (name, u["id"], u["version"]) for name, g in page["changes"].items() for u in g["upserts"]
    }
    assert repeats <= held(replica)
    assert all(not g["deletions"] for g in page["changes"].values())


def ingest(client: Client, token: str, at: datetime, **values: float) -> None:
    stamp = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    response = client.post(f"/ingest/{token}", json={**values, "at": stamp})
    assert response.status_code < 300, response.text


def register(client: Client, user: User, batch_id: str, name: str) -> dict[str, Any]:
    response = client.post(
        f"/batches/{batch_id}/sensors", json={"name": name}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    registered: dict[str, Any] = response.json()
    return registered


def test_sensors_readings_and_alerts_from_an_old_cursor_match_the_server(
    client: Client, user: User, dynamodb: Any, settings: Settings, file_readings: Filer
) -> None:
    kept = create_batch(client, user, name="Kept", kind="kombucha")
    moved_to = create_batch(client, user, name="Moved to", kind="kombucha")
    device_a: Replica = {}
    old_cursor = replay(client, user, None, device_a, limit=500)

    spindel = register(client, user, kept["id"], "iSpindel")
    other = register(client, user, kept["id"], "pH meter")
    minute = datetime.now(UTC).replace(second=5, microsecond=0) - timedelta(minutes=30)
    ingest(client, spindel["token"], minute, gravity=1.050, temperatureC=22.0)
    # Two readings in one minute: one record, merged (version 2).
    ingest(client, spindel["token"], minute + timedelta(seconds=20), gravity=1.048)
    ingest(client, other["token"], minute + timedelta(minutes=1), ph=3.9)
    ingest(client, spindel["token"], minute + timedelta(minutes=2), gravity=1.046)
    file_readings()
    rules = client.put(
        f"/batches/{kept['id']}/alerts/rules", json={"phTarget": 3.3}, headers=user.headers
    )
    assert rules.status_code == 200, rules.text
    client.patch(
        f"/sensors/{spindel['id']}", json={"name": "Blue"}, headers=user.headers
    ).raise_for_status()
    client.patch(
        f"/sensors/{spindel['id']}", json={"batchId": moved_to["id"]}, headers=user.headers
    ).raise_for_status()
    ingest(client, spindel["token"], minute + timedelta(minutes=3), gravity=1.045)
    file_readings()
    client.delete(f"/sensors/{other['id']}", headers=user.headers).raise_for_status()
    # The batch the sensor moved to goes, and with it its readings and alert state.
    client.delete(f"/batches/{moved_to['id']}", headers=user.headers).raise_for_status()

    replay(client, user, old_cursor, device_a, limit=3)
    fresh: Replica = {}
    replay(client, user, None, fresh, limit=4)

    truth = server_state(dynamodb, settings, user, [kept["id"], moved_to["id"]])
    assert held(device_a) == truth
    assert held(fresh) == truth
    merged = f"{kept['id']}.{spindel['id']}.{minute:%Y-%m-%dT%H:%MZ}"
    assert ("readings", merged, 2) in truth
    assert len([r for r in truth if r[0] == "readings"]) == 3  # the fourth went with its batch
    assert ("alerts", kept["id"], 5) in truth  # four readings, then the rules
    reading = device_a[("readings", merged)]
    assert reading["count"] == 2
    assert reading["gravity"] == pytest.approx(1.049)
    assert reading["temperatureC"] == pytest.approx(22.0)
    assert device_a[("alerts", kept["id"])]["rules"]["phTarget"] == 3.3
    # The moved sensor's batch is gone: the sensor is revoked, under its new name.
    blue = device_a[("sensors", spindel["id"])]
    assert (blue["name"], blue["batchId"], blue["status"]) == ("Blue", moved_to["id"], "revoked")
    assert device_a[("sensors", other["id"])]["status"] == "revoked"
    assert "token" not in device_a[("sensors", other["id"])]
    assert ("alerts", moved_to["id"]) not in device_a


def test_deleting_a_batch_sends_tombstones_for_its_readings_and_alert_state(
    client: Client, app: Litestar, user: User, dynamodb: Any, settings: Settings,
    file_readings: Filer,
) -> None:  # fmt: skip
    batch = create_batch(client, user, kind="kombucha")
    token = register(client, user, batch["id"], "Tilt")["token"]
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
    for minute in range(3):
        ingest(client, token, start + timedelta(minutes=minute), gravity=1.040 - minute / 1000)
    file_readings()
    cursor = replay(client, user, None, {}, limit=500)
    client.delete(f"/batches/{batch['id']}", headers=user.headers).raise_for_status()

    changes = pull(client, user, cursor)["changes"]
    readings = changes["readings"]["deletions"]
    assert len(readings) == 3
    assert {d["batchId"] for d in readings} == {batch["id"]}
    assert all(d["id"].startswith(f"{batch['id']}.") for d in readings)
    assert [d["id"] for d in changes["alerts"]["deletions"]] == [batch["id"]]
    assert changes["readings"]["upserts"] == changes["alerts"]["upserts"] == []
    # Each reading is replaced by its tombstone (one write each), gone by TTL.
    left = dynamodb.query(
        TableName=settings.table_name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"READINGS#{user.sub}#{batch['id']}"}},
        ConsistentRead=True,
    )["Items"]
    assert len(left) == 4
    assert {i["entity"]["S"] for i in left} == {"tombstone"}
    assert all("expiresAt" in i and "GSI1PK" not in i for i in left)
    # A check that found the batch a moment before (silence, new rules) finds no state.
    assert app.state.silence_check.readings.alert_state(user.sub, batch["id"]) is None


def test_a_reading_pushed_from_a_device_is_rejected_and_writes_nothing(
    client: Client, user: User
) -> None:
    """Readings come from sensors (`POST /ingest/{token}`), never through push: a reading
    mutation is rejected, never a conflict, and nothing changes."""
    batch = create_batch(client, user)
    cursor = replay(client, user, None, {}, limit=500)
    response = client.post(
        "/sync/push",
        json={
            "clientId": "phone",
            "mutations": [
                {
                    "mutationId": "r1",
                    "entity": "reading",
                    "id": batch["id"],
                    "op": "create",
                    "fields": {"batchId": batch["id"], "gravity": 1.05},
                }
            ],
        },
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert result["status"] == "rejected"
    assert result["problem"]["status"] == 400
    changes = pull(client, user, cursor)["changes"]
    assert changes["readings"] == {"upserts": [], "deletions": []}
    # Only the overlap's repeat of the batch, as it was.
    assert [(u["id"], u["version"]) for u in changes["batches"]["upserts"]] in (
        [],
        [(batch["id"], 1)],
    )


def test_every_page_through_readings_is_one_query_and_resumes_inside_them(
    client: Client, app: Litestar, user: User, file_readings: Filer
) -> None:
    """Pages one record at a time: cursors land on readings (outside the user's
    partition) and on the alert state, and each page is still one Query."""
    batch = create_batch(client, user, kind="kombucha")
    token = register(client, user, batch["id"], "Tilt")["token"]
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
    for minute in range(3):
        ingest(client, token, start + timedelta(minutes=minute), gravity=1.040)
    file_readings()
    seen: list[str] = []

    def record(event_name: str, **_: Any) -> None:
        seen.append(event_name.rsplit(".", 1)[-1])

    events = app.state.batches.store.client.meta.events
    events.register("before-call.dynamodb", record)
    try:
        cursor, positions, got = None, [], set()
        while True:
            seen.clear()
            page = pull(client, user, cursor, limit=1)
            assert seen == ["Query"]
            for group, found in page["changes"].items():
                got |= {(group, u["id"]) for u in found["upserts"]}
            cursor = page["nextCursor"]
            positions.append(_position(cursor))
            if not page["hasMore"]:
                break
    finally:
        events.unregister("before-call.dynamodb", record)
    assert sum(1 for p in positions if p.startswith(f"READINGS#{batch['id']}#R#")) == 3
    assert f"READINGS#{batch['id']}#ALERTS" in positions
    assert len([g for g, _ in got if g == "readings"]) == 3
    assert ("alerts", batch["id"]) in got


def _position(cursor: str) -> str:
    """The feed key a continuation cursor names (what the device never needs to read)."""
    payload = msgspec.json.decode(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    return str(payload["sk"])


def test_a_cursor_naming_readings_of_something_else_is_refused(client: Client, user: User) -> None:
    forged = {"at": "2026-01-01T00:00:00.000000Z#READINGS#x#R#y", "sk": "READINGS#x#R#y",
              "iss": "2026-12-01T00:00:00.000000Z"}  # fmt: skip
    cursor = base64.urlsafe_b64encode(msgspec.json.encode(forged)).decode().rstrip("=")
    assert_problem(
        client.get("/sync", params={"cursor": cursor}, headers=user.headers), 400, "invalid-cursor"
    )
