"""Push devices: register, list, remove, and a token that changes hands."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

from litestar import Litestar
from litestar.testing import TestClient

from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.domain.devices import MAX_DEVICES
from tests.conftest import User, new_user
from tests.expo_server import new_token
from tests.helpers import assert_problem

Client = TestClient[Litestar]


def register(client: Client, user: User, token: str, platform: str = "ios") -> Any:
    return client.post(
        "/devices", json={"token": token, "platform": platform}, headers=user.headers
    )


def tokens_of(client: Client, user: User) -> list[str]:
    response = client.get("/devices", headers=user.headers)
    assert response.status_code == 200, response.text
    return [d["token"] for d in response.json()]


def owner_item(dynamodb: Any, stack: StackOutputs, token: str) -> dict[str, Any] | None:
    hashed = hashlib.sha256(token.encode()).hexdigest()
    found: dict[str, Any] | None = dynamodb.get_item(
        TableName=stack.table_name,
        Key={"PK": {"S": f"PUSHTOKEN#{hashed}"}, "SK": {"S": "OWNER"}},
        ConsistentRead=True,
    ).get("Item")
    return found


def test_registering_a_token_lists_it_once_even_when_repeated(
    client: Client, emulator: Emulator, stack: StackOutputs
) -> None:
    user = new_user(stack, emulator, "phone")
    token = new_token()
    first = register(client, user, token)
    assert first.status_code == 201, first.text
    assert first.json()["token"] == token
    assert first.json()["platform"] == "ios"
    assert register(client, user, token, "android").status_code == 201
    response = client.get("/devices", headers=user.headers).json()
    assert [(d["token"], d["platform"]) for d in response] == [(token, "android")]


def test_a_malformed_token_or_platform_is_refused(client: Client, alice: User) -> None:
    for token in ("hello", "ExponentPushToken[]", "ExponentPushToken[a b c d e f]", "x" * 200):
        assert_problem(register(client, alice, token), 400, "validation")
    assert_problem(register(client, alice, new_token(), "blackberry"), 400, "validation")


def test_the_token_item_keys_carry_a_hash_not_the_token(
    client: Client, alice: User, dynamodb: Any, stack: StackOutputs
) -> None:
    token = new_token()
    register(client, alice, token)
    owner = owner_item(dynamodb, stack, token)
    assert owner is not None
    assert owner["sub"]["S"] == alice.sub
    items = dynamodb.query(
        TableName=stack.table_name,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :d)",
        ExpressionAttributeValues={":pk": {"S": f"USER#{alice.sub}"}, ":d": {"S": "DEVICE#"}},
    )["Items"]
    assert all(token not in item["SK"]["S"] for item in items)
    assert token in [item["token"]["S"] for item in items]


def test_a_token_registered_by_another_user_moves_to_the_new_one(
    client: Client, emulator: Emulator, stack: StackOutputs, dynamodb: Any
) -> None:
    first, second = new_user(stack, emulator, "seller"), new_user(stack, emulator, "buyer")
    token, kept = new_token(), new_token()
    register(client, first, token)
    register(client, first, kept)
    assert register(client, second, token).status_code == 201
    assert tokens_of(client, first) == [kept]
    assert tokens_of(client, second) == [token]
    owner = owner_item(dynamodb, stack, token)
    assert owner is not None
    assert owner["sub"]["S"] == second.sub
    # And back again.
    register(client, first, token)
    assert sorted(tokens_of(client, first)) == sorted([token, kept])
    assert tokens_of(client, second) == []


def test_removing_a_device(
    client: Client, emulator: Emulator, stack: StackOutputs, dynamodb: Any, bob: User
) -> None:
    user = new_user(stack, emulator, "remover")
    token = new_token()
    register(client, user, token)
    path = f"/devices/{quote(token, safe='')}"
    assert_problem(client.delete(path, headers=bob.headers), 404, "not-found")
    assert tokens_of(client, user) == [token]
    assert client.delete(path, headers=user.headers).status_code == 204
    assert tokens_of(client, user) == []
    assert owner_item(dynamodb, stack, token) is None
    assert_problem(client.delete(path, headers=user.headers), 404, "not-found")
    assert_problem(client.delete("/devices/garbage", headers=user.headers), 404, "not-found")


def test_devices_need_a_token(client: Client) -> None:
    assert (
        client.post("/devices", json={"token": new_token(), "platform": "ios"}).status_code == 401
    )


def test_an_account_registers_at_most_20_devices(
    client: Client, stack: StackOutputs, emulator: Emulator
) -> None:
    """Issue 10, item 16: each device is one more push per reminder."""
    user = new_user(stack, emulator, "many")
    tokens = [new_token() for _ in range(MAX_DEVICES)]
    for token in tokens:
        assert register(client, user, token).status_code == 201
    problem = assert_problem(register(client, user, new_token()), 409, "limit-reached")
    assert str(MAX_DEVICES) in problem["detail"]
    assert register(client, user, tokens[0], "android").status_code in (200, 201)
    assert len(tokens_of(client, user)) == MAX_DEVICES
