"""Tokens: the pool's access tokens work; anything else is a 401 problem."""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from litestar import Litestar
from litestar.testing import TestClient

from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from tests.conftest import User
from tests.helpers import assert_problem

Client = TestClient[Litestar]


def _forge(claims: dict[str, Any], kid: str) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _claims_of(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def _kid_of(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


def test_pool_access_token_is_accepted(client: Client, alice: User) -> None:
    assert client.get("/batches", headers=alice.headers).status_code == 200


def test_no_token_is_a_401(client: Client) -> None:
    response = client.get("/batches")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_token_without_bearer_scheme_is_a_401(client: Client, alice: User) -> None:
    assert_problem(
        client.get("/batches", headers={"Authorization": alice.token}), 401, "unauthorized"
    )


def test_forged_signature_is_a_401(client: Client, alice: User) -> None:
    forged = _forge(_claims_of(alice.token), _kid_of(alice.token))
    assert_problem(
        client.get("/batches", headers={"Authorization": f"Bearer {forged}"}), 401, "unauthorized"
    )


def test_tampered_payload_is_a_401(client: Client, alice: User, bob: User) -> None:
    header, _, signature = alice.token.split(".")
    claims = _claims_of(alice.token) | {"sub": bob.sub}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    tampered = f"{header}.{payload}.{signature}"
    assert_problem(
        client.get("/batches", headers={"Authorization": f"Bearer {tampered}"}), 401, "unauthorized"
    )


def test_alg_none_is_a_401(client: Client, alice: User) -> None:
    unsigned = jwt.encode(_claims_of(alice.token), key="", algorithm="none")
    assert_problem(
        client.get("/batches", headers={"Authorization": f"Bearer {unsigned}"}), 401, "unauthorized"
    )


@pytest.mark.parametrize("garbage", ["x", "a.b.c", "Bearer", ""])
def test_garbage_token_is_a_401(client: Client, garbage: str) -> None:
    assert_problem(
        client.get("/batches", headers={"Authorization": f"Bearer {garbage}"}), 401, "unauthorized"
    )


def test_id_token_where_access_token_is_required_is_a_401(
    client: Client, alice: User, stack: StackOutputs, emulator: Emulator
) -> None:
    cognito = boto3.client("cognito-idp", endpoint_url=emulator.endpoint, region_name=stack.region)
    cognito.admin_set_user_password(
        UserPoolId=stack.user_pool_id, Username=alice.email, Password="Passw0rd!x", Permanent=True
    )
    tokens = cognito.admin_initiate_auth(
        UserPoolId=stack.user_pool_id,
        ClientId=stack.user_pool_client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": alice.email, "PASSWORD": "Passw0rd!x"},
    )["AuthenticationResult"]
    id_token = tokens["IdToken"]
    assert _claims_of(id_token)["token_use"] == "id"
    problem = assert_problem(
        client.get("/batches", headers={"Authorization": f"Bearer {id_token}"}), 401, "unauthorized"
    )
    assert "access token" in problem["detail"]
    access = tokens["AccessToken"]
    assert client.get("/batches", headers={"Authorization": f"Bearer {access}"}).status_code == 200


def test_health_needs_no_token(client: Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
