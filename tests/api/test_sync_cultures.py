"""Cultures and culture events in sync: pulled as upserts and tombstones like batches
and their events, pushed with create/update/delete (updates on `baseVersion`, culture
events append-only), each mutation applied at most once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.config import Settings
from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.domain.ids import new_ulid
from tests.api.test_sync import Replica, held, pull, replay
from tests.api.test_sync_push import mutation, push
from tests.conftest import User, new_user
from tests.helpers import add_culture_event, create_culture

Client = TestClient[Litestar]
GROUPS = {"culture": "cultures", "culture_event": "cultureEvents"}


@pytest.fixture
def user(stack: StackOutputs, emulator: Emulator) -> User:
    return new_user(stack, emulator, "sync-cultures")


@pytest.fixture
def calls(app: Litestar) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(event_name: str, **_: Any) -> None:
        seen.append(event_name.rsplit(".", 1)[-1])

    events = app.state.sync.store.client.meta.events
    events.register("before-call.dynamodb", record)
    yield seen
    events.unregister("before-call.dynamodb", record)


def culture_state(dynamodb: Any, settings: Settings, user: User) -> set[tuple[str, str, int]]:
    """(group, id, version) of every culture and culture event the user has, read
    consistently from the table."""
    items = dynamodb.query(
        TableName=settings.table_name,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :culture)",
        ExpressionAttributeValues={":pk": {"S": f"USER#{user.sub}"}, ":culture": {"S": "CULTURE#"}},
        ConsistentRead=True,
    )["Items"]
    return {
        (GROUPS[item["entity"]["S"]], item["id"]["S"], int(item["version"]["N"]))
        for item in items
        if item["entity"]["S"] in GROUPS
    }


def cultures_held(replica: Replica) -> set[tuple[str, str, int]]:
    return {entry for entry in held(replica) if entry[0] in GROUPS.values()}


def test_culture_changes_page_from_an_old_cursor_to_the_servers_state(
    client: Client, user: User, dynamodb: Any, settings: Settings, calls: list[str]
) -> None:
    device: Replica = {}
    old_cursor = replay(client, user, None, device, limit=500)
    kept = create_culture(client, user, name="Kept")
    dropped = create_culture(client, user, name="Dropped")
    fed = add_culture_event(client, user, kept["id"])
    weighed = add_culture_event(client, user, kept["id"], type="weigh", grams=80)
    add_culture_event(client, user, dropped["id"])
    patched = client.patch(
        f"/cultures/{kept['id']}",
        json={"version": 1, "status": "resting", "public": True},
        headers=user.headers,
    )
    assert patched.status_code == 200, patched.text
    client.delete(
        f"/cultures/{kept['id']}/events/{fed['id']}", headers=user.headers
    ).raise_for_status()
    child = client.post(f"/cultures/{kept['id']}/split", json={}, headers=user.headers).json()
    client.delete(f"/cultures/{dropped['id']}", headers=user.headers).raise_for_status()

    calls.clear()
    replay(client, user, old_cursor, device, limit=2)
    pages = len(calls)
    assert calls == ["Query"] * pages  # one Query per sync page
    fresh: Replica = {}
    replay(client, user, None, fresh, limit=3)

    truth = culture_state(dynamodb, settings, user)
    assert cultures_held(device) == truth
    assert cultures_held(fresh) == truth
    assert {("cultures", kept["id"], 2), ("cultures", child["id"], 1)} <= truth
    assert ("cultureEvents", weighed["id"], 1) in truth
    assert not any(record_id in (dropped["id"], fed["id"]) for _, record_id, _ in truth)
    shown = device[("cultures", kept["id"])]
    assert (shown["status"], shown["public"], shown["version"]) == ("resting", True, 2)
    assert client.get(f"/cultures/{kept['id']}", headers=user.headers).json()["public"] is True
    assert device[("cultureEvents", weighed["id"])]["grams"] == 80


def test_deleting_a_culture_sends_tombstones_for_it_and_its_events(
    client: Client, user: User
) -> None:
    culture = create_culture(client, user)
    events = [add_culture_event(client, user, culture["id"]) for _ in range(3)]
    cursor = replay(client, user, None, {}, limit=500)
    client.delete(f"/cultures/{culture['id']}", headers=user.headers).raise_for_status()

    changes = pull(client, user, cursor)["changes"]
    assert [d["id"] for d in changes["cultures"]["deletions"]] == [culture["id"]]
    deleted = changes["cultureEvents"]["deletions"]
    assert sorted(d["id"] for d in deleted) == sorted(e["id"] for e in events)
    assert {d["cultureId"] for d in deleted} == {culture["id"]}
    assert changes["cultures"]["upserts"] == []


def test_pushed_culture_mutations_apply_once_conflict_on_a_stale_version_and_stay_append_only(
    client: Client, user: User
) -> None:
    now = datetime.now(UTC)
    culture_id = new_ulid(now)
    occurred = (now - timedelta(hours=3)).replace(microsecond=0)
    event_id = new_ulid(occurred)
    session = [
        mutation("culture", "create", culture_id,
                 fields={"name": "Offline starter", "kind": "sourdough_starter"}),
        mutation("cultureEvent", "create", event_id,
                 fields={"cultureId": culture_id, "type": "feed",
                         "occurredAt": occurred.isoformat()}),
        mutation("culture", "update", culture_id, baseVersion=1, fields={"name": "Renamed"}),
    ]  # fmt: skip
    first = push(client, user, *session)
    assert [r["status"] for r in first] == ["applied"] * 3, first
    assert first[0]["culture"]["id"] == culture_id
    assert first[1]["cultureEvent"]["id"] == event_id
    assert first[2]["culture"]["version"] == 2

    again = push(client, user, *session)  # the answer was lost: sent again
    assert [r["status"] for r in again] == ["applied"] * 3
    stored = client.get(f"/cultures/{culture_id}", headers=user.headers).json()
    assert (stored["name"], stored["version"]) == ("Renamed", 2)
    assert stored["stats"]["lastFedAt"] == occurred.isoformat().replace("+00:00", "Z")
    events = client.get(f"/cultures/{culture_id}/events", headers=user.headers).json()
    assert [e["id"] for e in events["items"]] == [event_id]

    stale, append_only, taken = push(
        client, user,
        mutation("culture", "update", culture_id, baseVersion=1, fields={"notes": "late"}),
        mutation("cultureEvent", "update", event_id, fields={"cultureId": culture_id}),
        mutation("culture", "create", culture_id, fields={"name": "Again", "kind": "scoby"}),
    )  # fmt: skip
    assert stale["status"] == "conflict"
    assert (stale["culture"]["name"], stale["culture"]["version"]) == ("Renamed", 2)
    assert append_only["status"] == "rejected"
    assert append_only["problem"]["status"] == 400
    assert taken["status"] == "conflict"
    assert taken["culture"]["name"] == "Renamed"

    cursor = replay(client, user, None, {}, limit=500)
    gone = push(
        client, user,
        mutation("cultureEvent", "delete", event_id, fields={"cultureId": culture_id}),
        mutation("culture", "delete", culture_id),
        mutation("culture", "delete", culture_id),  # deleting again is no error
    )  # fmt: skip
    assert [r["status"] for r in gone] == ["applied"] * 3
    changes = pull(client, user, cursor)["changes"]
    assert [d["id"] for d in changes["cultures"]["deletions"]] == [culture_id]
    assert [d["id"] for d in changes["cultureEvents"]["deletions"]] == [event_id]


def test_another_users_cultures_never_appear_in_sync(
    client: Client, user: User, stack: StackOutputs, emulator: Emulator
) -> None:
    other = new_user(stack, emulator, "other-cultures")
    theirs = create_culture(client, other)
    add_culture_event(client, other, theirs["id"])
    mine = create_culture(client, user)
    replica: Replica = {}
    replay(client, user, None, replica, limit=2)
    ids = {record_id for group, record_id in replica if group in GROUPS.values()}
    assert ids == {mine["id"]}
    # Pushing against their culture's id touches nothing of theirs.
    results = push(
        client, user,
        mutation("culture", "update", theirs["id"], baseVersion=1, fields={"name": "mine now"}),
        mutation("cultureEvent", "create", new_ulid(datetime.now(UTC)),
                 fields={"cultureId": theirs["id"], "type": "feed"}),
    )  # fmt: skip
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert [r["problem"]["status"] for r in results] == [404, 404]
    assert client.get(f"/cultures/{theirs['id']}", headers=other.headers).json()["version"] == 1


def test_a_pushed_rename_of_a_cultures_batch_reaches_the_culture_once(
    client: Client, user: User
) -> None:
    """A pushed batch update goes through the same transaction as PATCH: the batch and
    what its culture keeps of it change together, and a resent mutation changes nothing."""
    culture = create_culture(client, user)
    made = client.post(
        "/batches", json={"name": "Before", "kind": "milk_kefir", "cultureId": culture["id"]},
        headers=user.headers,
    ).json()  # fmt: skip
    rename = mutation("batch", "update", made["id"], baseVersion=1, fields={"name": "After"})
    for _ in range(2):
        [result] = push(client, user, rename)
        assert result["status"] == "applied", result
        assert (result["batch"]["name"], result["batch"]["version"]) == ("After", 2)
    detail = client.get(f"/cultures/{culture['id']}", headers=user.headers).json()
    assert [(b["id"], b["name"]) for b in detail["batches"]] == [(made["id"], "After")]
