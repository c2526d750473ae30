"""Push devices: register, list, remove, and a token that changes hands."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import structlog
from litestar import Litestar
from litestar.testing import TestClient
from structlog.testing import capture_logs

from app.config import Settings
from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.domain.devices import MAX_DEVICES
from app.services.push import ExpoPushClient, LogPushSender, PushMessage
from app.store.devices import DeviceStore
from app.store.reminders import ReminderStore
from app.usecases.delivery import Delivery
from tests.conftest import User, new_user
from tests.expo_server import ExpoServer, new_token
from tests.helpers import assert_problem, create_batch

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


def claims_pushed_to(expo: ExpoServer, token: str) -> list[str]:
    return [
        m["data"]["proof"]
        for m in expo.messages_to(token)
        if m.get("data", {}).get("type") == "device-claim"
    ]


def test_a_token_held_by_another_account_moves_only_with_the_pushed_proof(
    client: Client, emulator: Emulator, stack: StackOutputs, dynamodb: Any, expo: ExpoServer
) -> None:
    """Item 4 (issue 10): knowing a victim's token is not enough to take it."""
    victim, thief = new_user(stack, emulator, "victim"), new_user(stack, emulator, "thief")
    token, kept = new_token(), new_token()
    register(client, victim, token)
    register(client, victim, kept)

    asked = register(client, thief, token)
    assert asked.status_code == 202, asked.text
    assert asked.json()["status"] == "proof-required"
    assert asked.json()["id"] == hashlib.sha256(token.encode()).hexdigest()
    assert sorted(tokens_of(client, victim)) == sorted([token, kept])
    assert tokens_of(client, thief) == []
    [proof] = claims_pushed_to(expo, token)  # only the phone holding the token sees it
    [message] = [m for m in expo.messages_to(token) if m["data"].get("proof") == proof]
    assert message["title"] == "Confirm this device"

    # Asking again within the claim's life pushes nothing more.
    assert register(client, thief, token).status_code == 202
    assert claims_pushed_to(expo, token) == [proof]
    # A guessed proof, or another claimant's, moves nothing.
    for who, guess in ((thief, "guess"), (new_user(stack, emulator, "third"), proof)):
        if who is not thief:
            assert register(client, who, token).status_code == 202
        wrong = client.post(
            "/devices",
            json={"token": token, "platform": "ios", "proof": guess},
            headers=who.headers,
        )
        problem = assert_problem(wrong, 400, "validation")
        assert problem["errors"][0]["field"] == "proof"
    assert sorted(tokens_of(client, victim)) == sorted([token, kept])
    owner = owner_item(dynamodb, stack, token)
    assert owner is not None
    assert owner["sub"]["S"] == victim.sub


def test_the_device_that_holds_the_token_completes_the_move(
    client: Client, emulator: Emulator, stack: StackOutputs, dynamodb: Any, expo: ExpoServer
) -> None:
    first, second = new_user(stack, emulator, "seller"), new_user(stack, emulator, "buyer")
    token, kept = new_token(), new_token()
    register(client, first, token)
    register(client, first, kept)
    assert register(client, second, token).status_code == 202
    [proof] = claims_pushed_to(expo, token)
    moved = client.post(
        "/devices", json={"token": token, "platform": "ios", "proof": proof}, headers=second.headers
    )
    assert moved.status_code == 201, moved.text
    assert tokens_of(client, first) == [kept]
    assert tokens_of(client, second) == [token]
    owner = owner_item(dynamodb, stack, token)
    assert owner is not None
    assert owner["sub"]["S"] == second.sub
    # The proof is spent: it cannot move the token again.
    again = client.post(
        "/devices", json={"token": token, "platform": "ios", "proof": proof}, headers=first.headers
    )
    assert_problem(again, 400, "validation")
    assert tokens_of(client, second) == [token]


def test_removing_a_device(
    client: Client, emulator: Emulator, stack: StackOutputs, dynamodb: Any, bob: User
) -> None:
    user = new_user(stack, emulator, "remover")
    token = new_token()
    device_id = register(client, user, token).json()["id"]
    assert device_id == hashlib.sha256(token.encode()).hexdigest()
    assert [d["id"] for d in client.get("/devices", headers=user.headers).json()] == [device_id]
    # Item 5 (issue 10): devices are addressed by their id, never by the raw token.
    by_token = f"/devices/{quote(token, safe='')}"
    assert_problem(client.delete(by_token, headers=user.headers), 404, "not-found")
    path = f"/devices/{device_id}"
    assert_problem(client.delete(path, headers=bob.headers), 404, "not-found")
    assert tokens_of(client, user) == [token]
    assert client.delete(path, headers=user.headers).status_code == 204
    assert tokens_of(client, user) == []
    assert owner_item(dynamodb, stack, token) is None
    assert_problem(client.delete(path, headers=user.headers), 404, "not-found")
    assert_problem(client.delete("/devices/garbage", headers=user.headers), 404, "not-found")


def test_no_log_line_carries_a_push_token(
    client: Client,
    emulator: Emulator,
    stack: StackOutputs,
    settings: Settings,
    dynamodb: Any,
    expo: ExpoServer,
) -> None:
    """Item 5 (issue 10): register, move attempts, list, delete, delivery (with an Expo
    error that quotes the token) and the log-only sender, through the app's own
    processors (the renderer aside)."""
    user, other = new_user(stack, emulator, "logged"), new_user(stack, emulator, "other")
    token, gone = new_token(), new_token()
    expo.unregistered.add(gone)
    pipeline = list(structlog.get_config()["processors"][:-1])
    with capture_logs(processors=pipeline) as logs:
        device_id = register(client, user, token).json()["id"]
        register(client, user, gone)
        register(client, other, token)
        client.post(
            "/devices",
            json={"token": token, "platform": "ios", "proof": "wrong"},
            headers=other.headers,
        )
        client.get("/devices", headers=user.headers)
        client.delete(f"/devices/{quote(token, safe='')}", headers=user.headers)
        client.delete(f"/devices/{token}", headers=user.headers)
        batch = create_batch(client, user)
        due = (datetime.now(UTC) + timedelta(hours=3)).replace(microsecond=0)
        reminder = client.post(
            f"/batches/{batch['id']}/reminders/confirm",
            json={"text": "Strain", "action": "strain", "dueAt": due.isoformat()},
            headers=user.headers,
        ).json()
        event = {"userId": user.sub, "batchId": batch["id"], "reminderId": reminder["id"]}
        Delivery(
            ReminderStore(dynamodb, settings.table_name),
            DeviceStore(dynamodb, settings.table_name),
            ExpoPushClient(expo.url, backoff_seconds=0.01),
        ).deliver(event, now=due)
        LogPushSender().send([PushMessage(to=token, title="t", body="b")])
        client.delete(f"/devices/{device_id}", headers=user.headers)
    assert len(expo.requests_with(gone)) == 1  # the push did go out, and Expo refused it
    lines = repr(logs)
    assert len(logs) > 10, logs
    for raw in (token, gone, token[len("ExponentPushToken[") : -1]):
        assert raw not in lines
    assert quote(token, safe="") not in lines


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
