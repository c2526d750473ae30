"""Retry-safe creates: an `Idempotency-Key` names one request; repeating it (in order,
at the same moment, or in another process) creates one resource."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.config import Settings
from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.main import create_app
from tests.conftest import User, new_user
from tests.helpers import assert_problem, create_batch, create_culture

Client = TestClient[Litestar]
BODY = {"name": "Retried kefir", "kind": "milk_kefir"}


@pytest.fixture
def user(stack: StackOutputs, emulator: Emulator) -> User:
    return new_user(stack, emulator, "retry")


def keyed(user: User, key: str) -> dict[str, str]:
    return {**user.headers, "Idempotency-Key": key}


def partition(dynamodb: Any, settings: Settings, user: User, prefix: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = dynamodb.query(
        TableName=settings.table_name,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues={
            ":pk": {"S": f"USER#{user.sub}"},
            ":prefix": {"S": prefix},
        },
        ConsistentRead=True,
    )["Items"]
    return items


def batch_items(dynamodb: Any, settings: Settings, user: User) -> list[dict[str, Any]]:
    found = partition(dynamodb, settings, user, "BATCH#")
    return [item for item in found if item["entity"]["S"] == "batch"]


def test_the_same_create_twice_makes_one_batch(
    client: Client, user: User, dynamodb: Any, settings: Settings
) -> None:
    key = str(uuid.uuid4())
    first = client.post("/batches", json=BODY, headers=keyed(user, key))
    again = client.post("/batches", json=BODY, headers=keyed(user, key))
    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["createdAt"] == first.json()["createdAt"]
    assert [i["id"]["S"] for i in batch_items(dynamodb, settings, user)] == [first.json()["id"]]
    assert len(partition(dynamodb, settings, user, "IDEMPOTENCY#")) == 1
    # Without a key, the same body is a new batch each time (the key is what says "retry").
    create_batch(client, user, **BODY)
    assert len(batch_items(dynamodb, settings, user)) == 2


def test_a_keyed_create_checks_the_culture_in_the_same_transaction(
    client: Client,
    user: User,
    stack: StackOutputs,
    emulator: Emulator,
    dynamodb: Any,
    settings: Settings,
) -> None:
    """The culture check, the deleted-account check and the key's record are one
    transaction: another account's culture writes nothing (not even the key), and a
    replay returns the batch with its cultureId."""
    other = new_user(stack, emulator, "retry-other")
    theirs = create_culture(client, other)
    refused = client.post(
        "/batches", json={**BODY, "cultureId": theirs["id"]}, headers=keyed(user, "k-1")
    )
    assert_problem(refused, 404, "not-found")
    assert batch_items(dynamodb, settings, user) == []
    assert partition(dynamodb, settings, user, "IDEMPOTENCY#") == []
    mine = create_culture(client, user)
    body = {**BODY, "cultureId": mine["id"]}
    first = client.post("/batches", json=body, headers=keyed(user, "k-2"))
    again = client.post("/batches", json=body, headers=keyed(user, "k-2"))
    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["cultureId"] == first.json()["cultureId"] == mine["id"]
    [item] = batch_items(dynamodb, settings, user)
    assert item["cultureId"]["S"] == mine["id"]


def test_concurrent_duplicates_make_one_batch(
    user: User, dynamodb: Any, settings: Settings
) -> None:
    """Each thread is its own app (as separate Lambda instances are), so the requests
    really overlap at the table instead of queueing on one event loop."""
    key = str(uuid.uuid4())
    apps = [create_app(settings) for _ in range(6)]
    start = threading.Barrier(len(apps), timeout=60)
    answers: list[tuple[int, str]] = []

    def send(app: Litestar) -> None:
        with TestClient(app) as own:
            start.wait()
            response = own.post("/batches", json=BODY, headers=keyed(user, key))
            answers.append((response.status_code, response.json().get("id", response.text)))

    threads = [threading.Thread(target=send, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 6
    assert {status for status, _ in answers} == {201}
    assert len({batch_id for _, batch_id in answers}) == 1
    assert len(batch_items(dynamodb, settings, user)) == 1


def test_the_same_key_with_another_body_is_refused(
    client: Client, user: User, dynamodb: Any, settings: Settings
) -> None:
    key = str(uuid.uuid4())
    client.post("/batches", json=BODY, headers=keyed(user, key)).raise_for_status()
    other = client.post("/batches", json={**BODY, "name": "Else"}, headers=keyed(user, key))
    assert_problem(other, 422, "idempotency-key-reused")
    batch = batch_items(dynamodb, settings, user)[0]["id"]["S"]
    # Nor may the key be taken over by another route.
    on_events = client.post(
        f"/batches/{batch}/events", json={"type": "feed"}, headers=keyed(user, key)
    )
    assert_problem(on_events, 422, "idempotency-key-reused")
    assert len(batch_items(dynamodb, settings, user)) == 1
    assert partition(dynamodb, settings, user, f"BATCH#{batch}#EVENT#") == []


def test_the_same_event_twice_is_logged_once(
    client: Client, user: User, dynamodb: Any, settings: Settings
) -> None:
    batch = create_batch(client, user)
    key = str(uuid.uuid4())
    body = {"type": "measure", "ph": 4.2, "occurredAt": "2026-01-02T03:04:05Z"}
    route = f"/batches/{batch['id']}/events"
    first = client.post(route, json=body, headers=keyed(user, key))
    again = client.post(route, json=body, headers=keyed(user, key))
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert first.json()["occurredAt"] == "2026-01-02T03:04:05Z"
    events = partition(dynamodb, settings, user, f"BATCH#{batch['id']}#EVENT#")
    assert [e["id"]["S"] for e in events] == [first.json()["id"]]


def test_a_key_outlives_the_process(
    settings: Settings, client: Client, user: User, dynamodb: Any
) -> None:
    """A second app (a new Lambda cold start: nothing shared in memory) replays it."""
    key = str(uuid.uuid4())
    first = client.post("/batches", json=BODY, headers=keyed(user, key))
    with TestClient(create_app(settings)) as cold:
        again = cold.post("/batches", json=BODY, headers=keyed(user, key))
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert len(batch_items(dynamodb, settings, user)) == 1


def test_a_malformed_key_is_refused(client: Client, user: User) -> None:
    for bad in ("", "with space", "x" * 129):
        response = client.post("/batches", json=BODY, headers=keyed(user, bad))
        assert_problem(response, 400, "validation")


def test_deleting_the_account_removes_keys_and_tombstones_too(
    client: Client, user: User, dynamodb: Any, settings: Settings
) -> None:
    """Both live in the user's partition, so the partition delete takes them."""
    created = client.post("/batches", json=BODY, headers=keyed(user, str(uuid.uuid4())))
    batch_id = created.json()["id"]
    event = client.post(f"/batches/{batch_id}/events", json={"type": "feed"}, headers=user.headers)
    client.delete(
        f"/batches/{batch_id}/events/{event.json()['id']}", headers=user.headers
    ).raise_for_status()
    assert partition(dynamodb, settings, user, "IDEMPOTENCY#")
    assert partition(dynamodb, settings, user, "TOMBSTONE#")

    assert client.delete("/me", headers=user.headers).status_code == 204
    everything = dynamodb.query(
        TableName=settings.table_name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"USER#{user.sub}"}},
        ConsistentRead=True,
    )["Items"]
    assert everything == []
