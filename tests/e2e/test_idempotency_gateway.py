"""An idempotency key sent to the app replayed through the gateway into the deployed
Lambda (another process, its own cold start): the state is in DynamoDB."""

from __future__ import annotations

import uuid

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.conftest import User
from tests.helpers import assert_problem

pytestmark = pytest.mark.e2e


def test_a_create_retried_through_the_deployed_lambda_is_not_repeated(
    gateway: httpx.Client, client: TestClient[Litestar], alice: User
) -> None:
    headers = {**alice.headers, "Idempotency-Key": str(uuid.uuid4())}
    body = {"name": "Made locally, retried in AWS", "kind": "kombucha"}
    first = client.post("/batches", json=body, headers=headers)
    assert first.status_code == 201, first.text
    again = gateway.post("/batches", json=body, headers=headers)
    assert again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"]
    other = gateway.post("/batches", json={**body, "name": "Else"}, headers=headers)
    assert_problem(other, 422, "idempotency-key-reused")
