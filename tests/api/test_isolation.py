"""Someone else's batch answers 404 on every route, exactly like a batch that never was."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.conftest import User
from tests.helpers import add_event, assert_problem, create_batch

Client = TestClient[Litestar]


@pytest.fixture
def alices_batch(client: Client, alice: User) -> dict[str, Any]:
    batch = create_batch(client, alice, name="Alice's kombucha", kind="kombucha")
    batch["event"] = add_event(client, alice, batch["id"], note="secret")
    return batch


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/batches/{id}", None),
        ("PATCH", "/batches/{id}", {"version": 1, "name": "mine now"}),
        ("DELETE", "/batches/{id}", None),
        ("GET", "/batches/{id}/events", None),
        ("POST", "/batches/{id}/events", {"type": "feed"}),
        ("DELETE", "/batches/{id}/events/{event}", None),
    ],
)
def test_returns_404_for_someone_elses_batch(
    client: Client,
    alice: User,
    bob: User,
    alices_batch: dict[str, Any],
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    url = path.format(id=alices_batch["id"], event=alices_batch["event"]["id"])
    response = client.request(method, url, json=body, headers=bob.headers)
    problem = assert_problem(response, 404, "not-found")
    assert "kombucha" not in response.text.lower()
    assert problem["title"] == "Not found"

    unchanged = client.get(f"/batches/{alices_batch['id']}", headers=alice.headers).json()
    assert unchanged["name"] == "Alice's kombucha"
    assert unchanged["version"] == 1
    assert [e["id"] for e in unchanged["events"]] == [alices_batch["event"]["id"]]


def test_someone_elses_batch_looks_like_an_unknown_one(
    client: Client, bob: User, alices_batch: dict[str, Any]
) -> None:
    theirs = client.get(f"/batches/{alices_batch['id']}", headers=bob.headers).json()
    unknown = client.get("/batches/01JD0000000000000000000000", headers=bob.headers).json()
    assert {k: v for k, v in theirs.items() if k != "instance"} == {
        k: v for k, v in unknown.items() if k != "instance"
    }


def test_lists_only_the_callers_batches(
    client: Client, bob: User, alices_batch: dict[str, Any]
) -> None:
    ids = [b["id"] for b in client.get("/batches?limit=100", headers=bob.headers).json()["items"]]
    assert alices_batch["id"] not in ids
