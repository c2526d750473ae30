"""End to end on the emulator (issue 10, item 2): an account deletion past its budget
answers 202, signs the user out at once, and is finished by the deployed reminders
function, invoked by the one-time schedules the emulator's Scheduler fires."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.config import Settings
from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.dev.token import sign_in
from app.domain.batches import new_event
from app.domain.devices import token_hash
from app.store.items import event_to_item
from tests.conftest import User
from tests.expo_server import new_token
from tests.helpers import (
    assert_problem,
    create_batch,
    group_schedules,
    partition_items,
    put_items,
    wait_until,
)

pytestmark = pytest.mark.e2e

Client = TestClient[Litestar]
# Runs 5 s apart, each waiting for a sweep (10 s) and a function start.
CONTINUATION_TIMEOUT = 90.0


def signed_in(stack: StackOutputs, emulator: Emulator, name: str) -> tuple[User, str]:
    """A new user and their refresh token (to see the sign-out)."""
    email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
    tokens = sign_in(
        email, stack.user_pool_id, stack.user_pool_client_id, endpoint=emulator.endpoint
    )
    return User(email, tokens["AccessToken"]), tokens["RefreshToken"]


def test_a_deletion_past_its_budget_answers_202_signs_out_and_finishes_in_the_reminders_function(
    client: Client,
    app: Litestar,
    dynamodb: Any,
    settings: Settings,
    stack: StackOutputs,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user, refresh_token = signed_in(stack, emulator, "long")
    client.get("/me", headers=user.headers).raise_for_status()
    batch = create_batch(client, user, name="Chatty")
    now = datetime.now(UTC)
    events = [
        new_event(
            batch_id=batch["id"],
            type="taste",
            occurred_at=now - timedelta(minutes=i),
            note=None,
            ph=None,
            temperature_c=None,
            gravity=None,
            now=now,
        )
        for i in range(300)
    ]
    put_items(dynamodb, settings.table_name, [event_to_item(user.sub, event) for event in events])
    token = new_token()
    client.post("/devices", json={"token": token, "platform": "ios"}, headers=user.headers)
    monkeypatch.setattr(app.state.account, "items_per_run", 100)

    # The emulator revokes refresh tokens issued before the sign-out's whole second
    # (`iat < signout_at`): a token issued in the same second would outlive it there.
    time.sleep(1.05 - time.time() % 1)
    response = client.delete("/me", headers=user.headers)

    assert response.status_code == 202, response.text
    left = partition_items(dynamodb, settings.table_name, user.sub)
    assert 0 < len(left) <= 303 - 100
    cognito = boto3.client("cognito-idp", endpoint_url=emulator.endpoint, region_name=stack.region)
    with pytest.raises(cognito.exceptions.NotAuthorizedException):  # signed out at once
        cognito.admin_initiate_auth(
            UserPoolId=stack.user_pool_id,
            ClientId=stack.user_pool_client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )
    # Nothing new for the account meanwhile, though its token is still valid.
    assert_problem(
        client.post("/batches", json={"name": "x", "kind": "other"}, headers=user.headers),
        410,
        "account-deleted",
    )
    scheduler = boto3.client("scheduler", endpoint_url=emulator.endpoint, region_name=stack.region)
    continuations = [n for n in group_schedules(scheduler, stack) if "account-deletion-" in n]
    assert continuations

    def finished() -> bool:
        try:
            cognito.admin_get_user(UserPoolId=stack.user_pool_id, Username=user.email)
        except cognito.exceptions.UserNotFoundException:
            return partition_items(dynamodb, settings.table_name, user.sub) == []
        return False

    assert wait_until(finished, CONTINUATION_TIMEOUT), partition_items(
        dynamodb, settings.table_name, user.sub
    )[:3]
    assert (
        dynamodb.get_item(
            TableName=settings.table_name,
            Key={"PK": {"S": f"PUSHTOKEN#{token_hash(token)}"}, "SK": {"S": "OWNER"}},
            ConsistentRead=True,
        ).get("Item")
        is None
    )
    assert_problem(client.delete("/me", headers=user.headers), 410, "account-deleted")
