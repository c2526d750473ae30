"""Small helpers the API tests share: they only build requests, never fake responses."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.conftest import User

PROBLEM = "application/problem+json"


def create_batch(client: TestClient[Litestar], user: User, **fields: Any) -> dict[str, Any]:
    body = {"name": "Morning kefir", "kind": "milk_kefir", **fields}
    response = client.post("/batches", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def add_event(
    client: TestClient[Litestar], user: User, batch_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"type": "feed", **fields}
    response = client.post(f"/batches/{batch_id}/events", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def assert_problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert problem["type"].endswith("/" + slug), problem
    assert "Traceback" not in response.text
    return problem
