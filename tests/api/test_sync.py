"""GET /sync: the change feed of one user, paged from a cursor, replayed like a device
would, and compared with the full snapshot and with the table itself."""

from __future__ import annotations

from collections.abc import Iterator
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
from app.store.items import batch_to_item
from tests.conftest import User, new_user
from tests.expo_server import new_token
from tests.helpers import add_event, assert_problem, create_batch, wait_until

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


def server_state(dynamodb: Any, settings: Settings, user: User) -> set[tuple[str, str, int]]:
    """(group, id, version) of every record in the user's partition, read consistently."""
    items = dynamodb.query(
        TableName=settings.table_name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"USER#{user.sub}"}},
        ConsistentRead=True,
    )["Items"]
    state = set()
    for item in items:
        group = GROUPS.get(item.get("entity", {}).get("S", ""))
        if group is None:
            continue
        if group == "profile":
            record_id = user.sub
        elif group == "devices":
            record_id = item["SK"]["S"].split("#")[-1]
        else:
            record_id = item["id"]["S"]
        state.add((group, record_id, int(item["version"]["N"])))
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
    client.delete(f"/devices/{token}", headers=user.headers).raise_for_status()

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
