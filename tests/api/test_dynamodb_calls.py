"""DynamoDB calls per request, counted with botocore's event hooks on the app's client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.conftest import User
from tests.helpers import add_event, create_batch

Client = TestClient[Litestar]


@pytest.fixture
def calls(app: Litestar) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(event_name: str, **_: Any) -> None:
        seen.append(event_name.rsplit(".", 1)[-1])

    events = app.state.batches.store.client.meta.events
    events.register("before-call.dynamodb", record)
    yield seen
    events.unregister("before-call.dynamodb", record)


def test_create_is_one_call(client: Client, alice: User, calls: list[str]) -> None:
    """The app sends the device's time zone, so the suggestions need no profile read."""
    response = client.post(
        "/batches",
        json={"name": "counted", "kind": "kombucha"},
        headers={**alice.headers, "X-Time-Zone": "Europe/Berlin"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["suggestions"]
    # One call: the batch's Put and the deleted-account check in one transaction.
    assert calls == ["TransactWriteItems"]


def test_create_without_a_device_zone_reads_the_profiles(
    client: Client, alice: User, calls: list[str]
) -> None:
    create_batch(client, alice)
    assert calls == ["TransactWriteItems", "GetItem"]


def test_get_batch_with_events_is_one_call(client: Client, alice: User, calls: list[str]) -> None:
    batch = create_batch(client, alice)
    for _ in range(3):
        add_event(client, alice, batch["id"])
    calls.clear()
    response = client.get(f"/batches/{batch['id']}", headers=alice.headers)
    assert len(response.json()["events"]) == 3
    assert calls == ["Query"]


def test_list_page_is_one_call(client: Client, alice: User, calls: list[str]) -> None:
    create_batch(client, alice)
    create_batch(client, alice)
    calls.clear()
    response = client.get("/batches", params={"limit": 1}, headers=alice.headers)
    assert response.json()["nextCursor"]
    assert calls == ["Query"]
    calls.clear()
    client.get(
        "/batches",
        params={"limit": 1, "cursor": response.json()["nextCursor"]},
        headers=alice.headers,
    )
    assert calls == ["Query"]


def test_update_and_add_event_are_one_call_each(
    client: Client, alice: User, calls: list[str]
) -> None:
    batch = create_batch(client, alice)
    calls.clear()
    client.patch(
        f"/batches/{batch['id']}", json={"version": 1, "status": "paused"}, headers=alice.headers
    )
    assert calls == ["UpdateItem"]
    calls.clear()
    add_event(client, alice, batch["id"])
    assert calls == ["TransactWriteItems"]


def test_a_sync_page_is_one_query(client: Client, alice: User, calls: list[str]) -> None:
    for _ in range(3):
        create_batch(client, alice)
    calls.clear()
    first = client.get("/sync", params={"limit": 2}, headers=alice.headers)
    assert first.json()["hasMore"] is True
    assert calls == ["Query"]
    calls.clear()
    client.get(
        "/sync", params={"limit": 2, "cursor": first.json()["nextCursor"]}, headers=alice.headers
    ).raise_for_status()
    assert calls == ["Query"]


def test_a_create_with_an_idempotency_key_is_one_call_and_so_is_its_replay(
    client: Client, alice: User, calls: list[str]
) -> None:
    """The key's record is written in the create's own transaction; a replay answers
    from it without reading the batch."""
    headers = {**alice.headers, "X-Time-Zone": "UTC", "Idempotency-Key": "calls-1"}
    body = {"name": "once", "kind": "kombucha"}
    first = client.post("/batches", json=body, headers=headers)
    assert calls == ["TransactWriteItems"]
    calls.clear()
    again = client.post("/batches", json=body, headers=headers)
    assert again.json()["id"] == first.json()["id"]
    assert calls == ["TransactWriteItems"]
