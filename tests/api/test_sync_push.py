"""POST /sync/push: a device's offline writes, each applied at most once, with a
result per mutation (applied, conflict with the server's copy, rejected with why)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.domain.ids import new_ulid
from tests.api.test_sync import pull, replay
from tests.conftest import User, new_user
from tests.helpers import create_batch

Client = TestClient[Litestar]


@pytest.fixture
def user(stack: StackOutputs, emulator: Emulator) -> User:
    return new_user(stack, emulator, "push")


def mutation(entity: str, op: str, record_id: str, **rest: Any) -> dict[str, Any]:
    return {"mutationId": str(uuid.uuid4()), "entity": entity, "op": op, "id": record_id, **rest}


def push(client: Client, user: User, *mutations: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post(
        "/sync/push",
        json={"clientId": "phone-1", "mutations": list(mutations)},
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    assert [r["mutationId"] for r in results] == [m["mutationId"] for m in mutations]
    return results


def now() -> datetime:
    return datetime.now(UTC)


def test_an_offline_session_applies_once_even_when_pushed_twice(client: Client, user: User) -> None:
    batch_id = new_ulid(now())
    occurred = (now() - timedelta(hours=5)).replace(microsecond=0)
    event_id = new_ulid(occurred)
    session = [
        mutation("batch", "create", batch_id, fields={"name": "Offline", "kind": "kombucha"}),
        mutation(
            "event",
            "create",
            event_id,
            fields={"batchId": batch_id, "type": "feed", "occurredAt": occurred.isoformat()},
        ),
        mutation("batch", "update", batch_id, baseVersion=1, fields={"name": "Renamed offline"}),
    ]
    first = push(client, user, *session)
    assert [r["status"] for r in first] == ["applied"] * 3
    assert first[0]["batch"]["id"] == batch_id
    assert first[1]["event"]["id"] == event_id
    assert first[1]["event"]["occurredAt"] == occurred.isoformat().replace("+00:00", "Z")
    assert first[2]["batch"]["version"] == 2

    # The answer was lost; the device sends the same mutations again.
    again = push(client, user, *session)
    assert [r["status"] for r in again] == ["applied"] * 3
    assert again[2]["batch"]["version"] == 2  # not applied a second time
    stored = client.get(f"/batches/{batch_id}", headers=user.headers).json()
    assert (stored["name"], stored["version"]) == ("Renamed offline", 2)
    assert [e["id"] for e in stored["events"]] == [event_id]


def test_a_stale_update_conflicts_with_the_servers_copy(client: Client, user: User) -> None:
    batch = create_batch(client, user, name="Shared")
    client.patch(
        f"/batches/{batch['id']}",
        json={"version": 1, "name": "Changed on the web"},
        headers=user.headers,
    ).raise_for_status()
    (result,) = push(
        client, user, mutation("batch", "update", batch["id"], baseVersion=1, fields={"notes": "x"})
    )
    assert result["status"] == "conflict"
    assert (result["batch"]["name"], result["batch"]["version"]) == ("Changed on the web", 2)
    assert client.get(f"/batches/{batch['id']}", headers=user.headers).json()["notes"] is None
    # Rebased on the server's version it applies.
    (rebased,) = push(
        client, user, mutation("batch", "update", batch["id"], baseVersion=2, fields={"notes": "x"})
    )
    assert (rebased["status"], rebased["batch"]["notes"]) == ("applied", "x")


def test_events_from_two_devices_never_conflict(client: Client, user: User) -> None:
    batch = create_batch(client, user)
    logged = [
        mutation("event", "create", new_ulid(now()), fields={"batchId": batch["id"], "type": t})
        for t in ("feed", "taste")
    ]
    results = push(client, user, logged[0]) + push(client, user, logged[1])
    assert [r["status"] for r in results] == ["applied", "applied"]
    events = client.get(f"/batches/{batch['id']}/events", headers=user.headers).json()["items"]
    assert len(events) == 2


def test_bad_mutations_are_rejected_one_by_one(client: Client, user: User) -> None:
    batch_id = new_ulid(now())
    good = mutation("batch", "create", batch_id, fields={"name": "Good", "kind": "other"})
    results = push(
        client,
        user,
        mutation("batch", "create", new_ulid(now()), fields={"name": "", "kind": "other"}),
        mutation("batch", "create", new_ulid(now()), fields={"name": "x", "kind": "wine"}),
        mutation("reading", "create", new_ulid(now()), fields={}),
        mutation("batch", "update", batch_id, fields={"name": "no base version"}),
        good,
        {**good, "fields": {"name": "Same id, other body", "kind": "other"}},
        mutation("event", "create", new_ulid(now()), fields={"batchId": "nope", "type": "feed"}),
    )
    statuses = [r["status"] for r in results]
    assert statuses == ["rejected"] * 4 + ["applied"] + ["rejected"] * 2
    problems = [r["problem"] for r in results if r["status"] == "rejected"]
    assert [p["status"] for p in problems] == [400, 400, 400, 400, 422, 400]
    assert problems[1]["errors"][0]["field"] == "fields.kind"
    assert problems[2]["errors"][0]["field"] == "entity"
    assert problems[4]["type"].endswith("/idempotency-key-reused")
    # A create whose id is taken conflicts and shows what holds it.
    (taken,) = push(
        client, user, mutation("batch", "create", batch_id, fields={"name": "Dup", "kind": "other"})
    )
    assert (taken["status"], taken["batch"]["name"]) == ("conflict", "Good")


def test_a_pushed_delete_reaches_other_devices_as_tombstones(client: Client, user: User) -> None:
    batch = create_batch(client, user)
    event_id = new_ulid(now())
    push(
        client,
        user,
        mutation("event", "create", event_id, fields={"batchId": batch["id"], "type": "feed"}),
    )
    cursor = replay(client, user, None, {}, limit=500)
    deleting = mutation("batch", "delete", batch["id"])
    assert [r["status"] for r in push(client, user, deleting, deleting)] == ["applied", "applied"]
    changes = pull(client, user, cursor)["changes"]
    assert [d["id"] for d in changes["batches"]["deletions"]] == [batch["id"]]
    assert [d["id"] for d in changes["events"]["deletions"]] == [event_id]


def test_a_push_is_bounded_and_needs_a_token(client: Client, user: User) -> None:
    many = [mutation("batch", "delete", new_ulid(now())) for _ in range(101)]
    response = client.post(
        "/sync/push", json={"clientId": "p", "mutations": many}, headers=user.headers
    )
    assert response.status_code == 400
    assert (
        client.post("/sync/push", json={"clientId": "p", "mutations": many[:1]}).status_code == 401
    )
