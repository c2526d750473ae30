"""Through the emulator's API Gateway (JWT authorizer) into the deployed zip Lambda."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.conftest import User

pytestmark = pytest.mark.e2e


def test_health_is_public_through_the_gateway(gateway: httpx.Client) -> None:
    response = gateway.get("/health")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok"}
    assert response.headers.get("x-correlation-id")


def test_the_authorizer_refuses_a_request_without_a_token(gateway: httpx.Client) -> None:
    response = gateway.get("/batches")
    assert response.status_code == 401
    assert not response.headers.get("content-type", "").startswith("application/problem+json")


def test_the_authorizer_refuses_a_forged_token(gateway: httpx.Client, alice: User) -> None:
    header, payload, signature = alice.token.split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"
    response = gateway.get("/batches", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


def test_gateway_and_direct_paths_agree(
    gateway: httpx.Client, client: TestClient[Litestar], alice: User
) -> None:
    created = gateway.post(
        "/batches",
        json={"name": "Through the gateway", "kind": "water_kefir", "temperatureC": 23},
        headers=alice.headers,
    )
    assert created.status_code == 201, created.text
    batch: dict[str, Any] = created.json()
    event = gateway.post(
        f"/batches/{batch['id']}/events",
        json={"type": "taste", "note": "fizzy"},
        headers=alice.headers,
    )
    assert event.status_code == 201, event.text

    via_gateway = gateway.get(f"/batches/{batch['id']}", headers=alice.headers)
    direct = client.get(f"/batches/{batch['id']}", headers=alice.headers)
    assert via_gateway.status_code == direct.status_code == 200
    assert via_gateway.json() == direct.json()
    assert via_gateway.json()["events"][0]["note"] == "fizzy"

    listed_gateway = gateway.get("/batches", params={"limit": 100}, headers=alice.headers)
    listed_direct = client.get("/batches", params={"limit": 100}, headers=alice.headers)
    assert listed_gateway.json() == listed_direct.json()
    assert batch["id"] in [b["id"] for b in listed_gateway.json()["items"]]


def test_problems_come_through_the_gateway(gateway: httpx.Client, alice: User) -> None:
    response = gateway.post("/batches", json={"name": "x", "kind": "mead"}, headers=alice.headers)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    missing = gateway.get("/batches/01JD0000000000000000000000", headers=alice.headers)
    assert missing.status_code == 404
