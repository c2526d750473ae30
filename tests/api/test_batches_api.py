"""The batches API over HTTP, against the table in the emulator."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.config import Settings
from tests.conftest import User
from tests.helpers import add_event, assert_problem, create_batch

Client = TestClient[Litestar]


def test_creates_a_batch_with_defaults(client: Client, alice: User) -> None:
    batch = create_batch(client, alice, notes="2 tbsp grains", temperatureC=21.5)
    assert batch["status"] == "active"
    assert batch["version"] == 1
    assert batch["notes"] == "2 tbsp grains"
    assert batch["temperatureC"] == 21.5
    assert len(batch["id"]) == 26
    assert batch["startedAt"] == batch["createdAt"]


def test_gets_a_batch_with_its_events_in_time_order(client: Client, alice: User) -> None:
    batch = create_batch(client, alice)
    later = add_event(client, alice, batch["id"], occurredAt="2026-01-02T10:00:00Z")
    earlier = add_event(
        client, alice, batch["id"], type="strain", occurredAt="2026-01-01T10:00:00Z"
    )
    response = client.get(f"/batches/{batch['id']}", headers=alice.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Morning kefir"
    assert [e["id"] for e in body["events"]] == [earlier["id"], later["id"]]
    assert body["nextEventsCursor"] is None


def test_lists_batches_newest_first_with_pagination(client: Client, bob: User) -> None:
    ids = [create_batch(client, bob, name=f"batch {i}")["id"] for i in range(5)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        response = client.get("/batches", params=params, headers=bob.headers)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [b["id"] for b in page["items"]]
        pages += 1
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert [i for i in seen if i in ids] == list(reversed(ids))
    assert pages >= 3


def test_filters_batches_by_status(client: Client, alice: User) -> None:
    paused = create_batch(client, alice, name="to pause")
    client.patch(
        f"/batches/{paused['id']}", json={"version": 1, "status": "paused"}, headers=alice.headers
    ).raise_for_status()
    response = client.get(
        "/batches", params={"status": "paused", "limit": 100}, headers=alice.headers
    )
    statuses = {b["status"] for b in response.json()["items"]}
    assert statuses == {"paused"}
    assert paused["id"] in [b["id"] for b in response.json()["items"]]


def test_updates_a_batch_and_bumps_its_version(client: Client, alice: User) -> None:
    batch = create_batch(client, alice, notes="old", temperatureC=20)
    response = client.patch(
        f"/batches/{batch['id']}",
        json={"version": 1, "name": "Renamed", "notes": None, "status": "paused"},
        headers=alice.headers,
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["name"] == "Renamed"
    assert updated["notes"] is None
    assert updated["temperatureC"] == 20
    assert updated["status"] == "paused"
    assert updated["version"] == 2


def test_stale_patch_gets_409_and_changes_nothing(
    client: Client, alice: User, dynamodb: Any, settings: Settings
) -> None:
    batch = create_batch(client, alice)
    first = client.patch(
        f"/batches/{batch['id']}", json={"version": 1, "name": "first"}, headers=alice.headers
    )
    assert first.status_code == 200
    before = _stored_batch(dynamodb, settings, alice, batch["id"])
    stale = client.patch(
        f"/batches/{batch['id']}", json={"version": 1, "name": "second"}, headers=alice.headers
    )
    problem = assert_problem(stale, 409, "stale-version")
    assert "version 2" in problem["detail"]
    assert _stored_batch(dynamodb, settings, alice, batch["id"]) == before


@pytest.mark.parametrize(
    ("path", "target", "allowed"),
    [
        (["finished"], "archived", True),
        (["finished", "archived"], "active", False),
        (["finished", "archived"], "finished", True),
        (["paused"], "active", True),
    ],
)
def test_status_transitions(
    client: Client, alice: User, path: list[str], target: str, allowed: bool
) -> None:
    batch = create_batch(client, alice)
    version = 1
    for status in path:
        response = client.patch(
            f"/batches/{batch['id']}",
            json={"version": version, "status": status},
            headers=alice.headers,
        )
        assert response.status_code == 200, response.text
        version += 1
    response = client.patch(
        f"/batches/{batch['id']}",
        json={"version": version, "status": target},
        headers=alice.headers,
    )
    if allowed:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == target
    else:
        assert_problem(response, 409, "invalid-status-transition")


def test_deleting_a_batch_leaves_no_item_under_it(
    client: Client, alice: User, dynamodb: Any, settings: Settings
) -> None:
    batch = create_batch(client, alice)
    for _ in range(30):
        add_event(client, alice, batch["id"], type="note", note="x")
    response = client.delete(f"/batches/{batch['id']}", headers=alice.headers)
    assert response.status_code == 204
    remaining = dynamodb.query(
        TableName=settings.table_name,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :sk)",
        ExpressionAttributeValues={
            ":pk": {"S": f"USER#{alice.sub}"},
            ":sk": {"S": f"BATCH#{batch['id']}"},
        },
        ConsistentRead=True,
    )
    assert remaining["Items"] == []
    assert_problem(client.get(f"/batches/{batch['id']}", headers=alice.headers), 404, "not-found")
    assert_problem(
        client.delete(f"/batches/{batch['id']}", headers=alice.headers), 404, "not-found"
    )


def test_adds_lists_and_deletes_events(client: Client, alice: User) -> None:
    batch = create_batch(client, alice)
    measure = add_event(
        client, alice, batch["id"], type="measure", ph=4.2, temperatureC=22, gravity=1.01
    )
    assert (measure["ph"], measure["temperatureC"], measure["gravity"]) == (4.2, 22.0, 1.01)
    for kind in ("feed", "strain", "taste", "note", "second_ferment", "bottle"):
        add_event(client, alice, batch["id"], type=kind)
    response = client.get(
        f"/batches/{batch['id']}/events", params={"limit": 3}, headers=alice.headers
    )
    first_page = response.json()
    assert len(first_page["items"]) == 3
    rest = client.get(
        f"/batches/{batch['id']}/events",
        params={"limit": 10, "cursor": first_page["nextCursor"]},
        headers=alice.headers,
    ).json()
    assert len(first_page["items"]) + len(rest["items"]) == 7
    assert rest["nextCursor"] is None
    deleted = client.delete(f"/batches/{batch['id']}/events/{measure['id']}", headers=alice.headers)
    assert deleted.status_code == 204
    events = client.get(f"/batches/{batch['id']}/events", headers=alice.headers).json()["items"]
    assert measure["id"] not in [e["id"] for e in events]
    again = client.delete(f"/batches/{batch['id']}/events/{measure['id']}", headers=alice.headers)
    assert_problem(again, 404, "not-found")


def test_an_empty_event_log_is_not_a_missing_batch(client: Client, alice: User) -> None:
    batch = create_batch(client, alice)
    response = client.get(f"/batches/{batch['id']}/events", headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == {"items": [], "nextCursor": None}


@pytest.mark.parametrize("status", ["finished", "archived"])
def test_events_on_a_closed_batch_are_refused(client: Client, alice: User, status: str) -> None:
    batch = create_batch(client, alice)
    event = add_event(client, alice, batch["id"])
    version = 1
    for step in ["finished", "archived"][: 1 if status == "finished" else 2]:
        client.patch(
            f"/batches/{batch['id']}",
            json={"version": version, "status": step},
            headers=alice.headers,
        ).raise_for_status()
        version += 1
    problem = assert_problem(
        client.post(f"/batches/{batch['id']}/events", json={"type": "feed"}, headers=alice.headers),
        409,
        "batch-closed",
    )
    assert status in problem["detail"]
    assert_problem(
        client.delete(f"/batches/{batch['id']}/events/{event['id']}", headers=alice.headers),
        409,
        "batch-closed",
    )


def _stored_batch(dynamodb: Any, settings: Settings, user: User, batch_id: str) -> Any:
    return dynamodb.get_item(
        TableName=settings.table_name,
        Key={"PK": {"S": f"USER#{user.sub}"}, "SK": {"S": f"BATCH#{batch_id}"}},
        ConsistentRead=True,
    )["Item"]
