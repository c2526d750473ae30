"""Tokens: the pool's access tokens work; anything else is a 401 problem."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import boto3
import jwt
import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from litestar import Litestar
from litestar.testing import TestClient

from app.config import Settings
from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.dev.token import access_token, sign_in
from app.main import create_app
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
    tokens = sign_in(
        alice.email, stack.user_pool_id, stack.user_pool_client_id, endpoint=emulator.endpoint
    )
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


class OtherTokens:
    """Real tokens the app must refuse: from a second client of the pool, from a second
    pool (another issuer), and from a client whose tokens live one second."""

    def __init__(self, stack: StackOutputs, emulator: Emulator, email: str) -> None:
        self.cognito = boto3.client(
            "cognito-idp", endpoint_url=emulator.endpoint, region_name=stack.region
        )
        self.stack = stack
        self.email = email
        self.endpoint = emulator.endpoint

    def client(self, pool_id: str, **settings: Any) -> str:
        created = self.cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=f"other-{len(settings)}",
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            **settings,
        )
        return str(created["UserPoolClient"]["ClientId"])

    def access_token(self, pool_id: str, client_id: str) -> str:
        return access_token(self.email, pool_id, client_id, endpoint=self.endpoint)


@pytest.fixture(scope="module")
def other(stack: StackOutputs, emulator: Emulator) -> OtherTokens:
    return OtherTokens(stack, emulator, "other-tokens@example.com")


def test_token_for_another_client_of_the_pool_is_a_401(client: Client, other: OtherTokens) -> None:
    pool = other.stack.user_pool_id
    token = other.access_token(pool, other.client(pool))
    assert _claims_of(token)["iss"] == other.stack.cognito_issuer
    problem = assert_problem(
        client.get("/batches", headers={"Authorization": f"Bearer {token}"}), 401, "unauthorized"
    )
    assert "another client" in problem["detail"]


def test_token_from_another_pool_is_a_401(client: Client, other: OtherTokens) -> None:
    pool = other.cognito.create_user_pool(PoolName="another-pool", UsernameAttributes=["email"])[
        "UserPool"
    ]["Id"]
    token = other.access_token(pool, other.client(pool))
    assert _claims_of(token)["iss"] != other.stack.cognito_issuer
    assert_problem(
        client.get("/batches", headers={"Authorization": f"Bearer {token}"}), 401, "unauthorized"
    )


def test_expired_token_is_a_401(settings: Settings, other: OtherTokens) -> None:
    """A one-second token from the pool, checked by an app with no clock leeway."""
    pool = other.stack.user_pool_id
    short_lived = other.client(
        pool, AccessTokenValidity=1, TokenValidityUnits={"AccessToken": "seconds"}
    )
    token = other.access_token(pool, short_lived)
    strict = msgspec.structs.replace(settings, cognito_client_id=short_lived, jwt_leeway_seconds=0)
    with TestClient(create_app(strict)) as strict_client:
        headers = {"Authorization": f"Bearer {token}"}
        deadline = _claims_of(token)["exp"] + 1
        while time.time() < deadline:
            time.sleep(0.2)
        problem = assert_problem(
            strict_client.get("/batches", headers=headers), 401, "unauthorized"
        )
        assert "expired" in problem["detail"]
