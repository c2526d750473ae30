"""Bad input answers 4xx problem+json naming the field, and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.conftest import User
from tests.helpers import assert_problem, create_batch

Client = TestClient[Litestar]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": 42, "kind": "milk_kefir"}, "name"),
        ({"name": "x", "kind": "yoghurt"}, "kind"),
        ({"name": "x" * 121, "kind": "kombucha"}, "name"),
        ({"name": "x", "kind": "kombucha", "notes": "n" * 2001}, "notes"),
        ({"name": "x", "kind": "kombucha", "temperatureC": "warm"}, "temperatureC"),
        ({"name": "x", "kind": "kombucha", "temperatureC": 400}, "temperatureC"),
        ({"name": "x", "kind": "kombucha", "startedAt": "yesterday"}, "startedAt"),
        ({"name": "x", "kind": "kombucha", "startedAt": "2026-01-01T10:00:00"}, "startedAt"),
        ({"name": "x", "kind": "kombucha", "startedAt": "2999-01-01T10:00:00Z"}, "startedAt"),
        ({"name": "   ", "kind": "kombucha"}, "name"),
        ({"kind": "kombucha"}, "name"),
        ({"name": "x", "kind": "kombucha", "owner": "someone"}, "owner"),
    ],
)
def test_invalid_batch_bodies_name_the_field(
    client: Client, alice: User, body: dict[str, Any], field: str
) -> None:
    before = _batch_count(client, alice)
    problem = assert_problem(
        client.post("/batches", json=body, headers=alice.headers), 400, "validation"
    )
    assert any(
        field in error["field"] or field in error["message"] for error in problem["errors"]
    ), problem
    assert _batch_count(client, alice) == before


def test_malformed_json_is_a_400(client: Client, alice: User) -> None:
    response = client.post(
        "/batches",
        content=b"{not json",
        headers={**alice.headers, "content-type": "application/json"},
    )
    problem = assert_problem(response, 400, "bad-request")
    assert "JSON is malformed" in problem["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "brew"}, "type"),
        ({"type": "measure"}, "ph"),
        ({"type": "measure", "ph": 15}, "ph"),
        ({"type": "measure", "gravity": 2}, "gravity"),
        ({"type": "note", "note": "n" * 1001}, "note"),
        ({"type": "feed", "occurredAt": "2999-01-01T00:00:00Z"}, "occurredAt"),
    ],
)
def test_invalid_events_name_the_field(
    client: Client, alice: User, body: dict[str, Any], field: str
) -> None:
    batch = create_batch(client, alice)
    problem = assert_problem(
        client.post(f"/batches/{batch['id']}/events", json=body, headers=alice.headers),
        400,
        "validation",
    )
    assert any(field in error["field"] or field in error["message"] for error in problem["errors"])
    events = client.get(f"/batches/{batch['id']}/events", headers=alice.headers).json()
    assert events["items"] == []


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        "eyJTSyI6ICJ4In0",
        "e30",
        "x" * 600,
        "eyJTSyI6IkJBVENII0FBQSIsIkxTSTFTSyI6IkFBQSJ9",
    ],
)
def test_bad_cursor_is_a_400(client: Client, alice: User, cursor: str) -> None:
    response = client.get("/batches", params={"cursor": cursor}, headers=alice.headers)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_bad_event_cursor_is_a_400(client: Client, alice: User) -> None:
    batch = create_batch(client, alice)
    other = create_batch(client, alice)
    client.post(f"/batches/{other['id']}/events", json={"type": "feed"}, headers=alice.headers)
    page = client.get(f"/batches/{other['id']}/events", params={"limit": 1}, headers=alice.headers)
    foreign_cursor = page.json()["nextCursor"]
    response = client.get(
        f"/batches/{batch['id']}/events",
        params={"cursor": foreign_cursor or "x"},
        headers=alice.headers,
    )
    assert_problem(response, 400, "invalid-cursor")


@pytest.mark.parametrize("limit", [0, 101, -1, "many"])
def test_page_size_out_of_range_is_a_400(client: Client, alice: User, limit: object) -> None:
    response = client.get("/batches", params={"limit": str(limit)}, headers=alice.headers)
    assert_problem(response, 400, "validation")


def test_patch_requires_a_version(client: Client, alice: User) -> None:
    batch = create_batch(client, alice)
    response = client.patch(f"/batches/{batch['id']}", json={"name": "x"}, headers=alice.headers)
    problem = assert_problem(response, 400, "validation")
    assert any("version" in e["field"] or "version" in e["message"] for e in problem["errors"])


def test_oversized_body_is_a_413(client: Client, alice: User) -> None:
    response = client.post(
        "/batches",
        content=b'{"name": "' + b"x" * 70_000 + b'", "kind": "other"}',
        headers={**alice.headers, "content-type": "application/json"},
    )
    assert_problem(response, 413, "payload-too-large")


def _batch_count(client: Client, user: User) -> int:
    total = 0
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = client.get("/batches", params=params, headers=user.headers).json()
        total += len(page["items"])
        cursor = page["nextCursor"]
        if not cursor:
            return total
