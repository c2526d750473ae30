"""Profile on first use, its updates, and deleting an account with everything in it."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.config import Settings
from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.domain.devices import token_hash
from tests.api.test_photos import upload
from tests.api.test_reminders_api import confirm
from tests.conftest import User, new_user
from tests.expo_server import new_token
from tests.helpers import add_event, assert_problem, create_batch, group_schedules

Client = TestClient[Litestar]


def _partition(dynamodb: Any, settings: Settings, user: User) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = dynamodb.query(
        TableName=settings.table_name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"USER#{user.sub}"}},
        ConsistentRead=True,
    )["Items"]
    return items


def test_me_creates_the_profile_on_first_use(
    client: Client, stack: StackOutputs, emulator: Emulator
) -> None:
    user = new_user(stack, emulator, "carol")
    first = client.get("/me", headers=user.headers)
    assert first.status_code == 200, first.text
    profile = first.json()
    assert profile["email"] == user.email
    assert profile["timeZone"] == "UTC"
    assert profile["notifications"] == {"reminders": True, "quietStart": None, "quietEnd": None}
    assert client.get("/me", headers=user.headers).json() == profile


def test_me_updates_name_time_zone_and_notifications(
    client: Client, stack: StackOutputs, emulator: Emulator
) -> None:
    user = new_user(stack, emulator, "dave")
    response = client.patch(
        "/me",
        json={
            "displayName": "Dave",
            "timeZone": "Europe/Berlin",
            "notifications": {"reminders": False, "quietStart": "22:00", "quietEnd": "07:30"},
        },
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    profile = response.json()
    assert (profile["displayName"], profile["timeZone"]) == ("Dave", "Europe/Berlin")
    assert profile["notifications"]["reminders"] is False
    assert profile["version"] == 2
    cleared = client.patch("/me", json={"displayName": None}, headers=user.headers).json()
    assert cleared["displayName"] is None
    assert cleared["timeZone"] == "Europe/Berlin"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timeZone": "Mars/Olympus_Mons"}, "timeZone"),
        ({"timeZone": "CEST"}, "timeZone"),
        ({"displayName": ""}, "displayName"),
        ({"displayName": "x" * 81}, "displayName"),
        ({"notifications": {"quietStart": "25:00"}}, "quietStart"),
        ({"email": "other@example.com"}, "email"),
    ],
)
def test_me_refuses_bad_updates(
    client: Client, alice: User, body: dict[str, Any], field: str
) -> None:
    before = client.get("/me", headers=alice.headers).json()
    problem = assert_problem(
        client.patch("/me", json=body, headers=alice.headers), 400, "validation"
    )
    assert any(field in e["field"] or field in e["message"] for e in problem["errors"]), problem
    assert client.get("/me", headers=alice.headers).json() == before


def test_deleting_an_account_removes_everything_and_then_refuses_the_token(
    client: Client,
    stack: StackOutputs,
    emulator: Emulator,
    dynamodb: Any,
    settings: Settings,
    alice: User,
) -> None:
    user = new_user(stack, emulator, "erin")
    client.patch("/me", json={"displayName": "Erin"}, headers=user.headers).raise_for_status()
    batches = []
    for i in range(3):
        batch = create_batch(client, user, name=f"erin {i}")
        batches.append(batch)
        for _ in range(10):
            add_event(client, user, batch["id"])
    photo = upload(client, user, batches[0]["id"])
    reminder = confirm(client, user, batches[1]["id"], suggestionKey="strain")
    assert reminder.status_code == 201, reminder.text
    token = new_token()
    device = client.post("/devices", json={"token": token, "platform": "ios"}, headers=user.headers)
    assert device.status_code in (200, 201), device.text

    s3 = boto3.client("s3", endpoint_url=emulator.endpoint, region_name=stack.region)
    scheduler = boto3.client("scheduler", endpoint_url=emulator.endpoint, region_name=stack.region)
    cognito = boto3.client("cognito-idp", endpoint_url=emulator.endpoint, region_name=stack.region)
    schedule_name = f"reminder-{reminder.json()['id']}"
    assert schedule_name in group_schedules(scheduler, stack)
    assert _objects(s3, stack, user)
    alices = create_batch(client, alice, name="untouched")
    alice_items_before = _partition(dynamodb, settings, alice)
    assert photo["id"]

    assert client.delete("/me", headers=user.headers).status_code == 204

    assert _partition(dynamodb, settings, user) == []
    assert _token_owner(dynamodb, settings, token) is None
    assert _objects(s3, stack, user) == []
    assert schedule_name not in group_schedules(scheduler, stack)
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=stack.user_pool_id, Username=user.email)
    assert _partition(dynamodb, settings, alice) == alice_items_before
    assert client.get(f"/batches/{alices['id']}", headers=alice.headers).status_code == 200

    # Done: the same (still unexpired) token neither deletes again nor brings the profile back.
    assert_problem(client.delete("/me", headers=user.headers), 410, "account-deleted")
    assert_problem(client.get("/me", headers=user.headers), 410, "account-deleted")
    assert _partition(dynamodb, settings, user) == []


def _objects(s3: Any, stack: StackOutputs, user: User) -> list[str]:
    listed = s3.list_objects_v2(Bucket=stack.photos_bucket, Prefix=f"users/{user.sub}/")
    keys: list[str] = [o["Key"] for o in listed.get("Contents", [])]
    pending = s3.list_objects_v2(Bucket=stack.photos_bucket, Prefix=f"pending/users/{user.sub}/")
    keys += [o["Key"] for o in pending.get("Contents", [])]
    return keys


def _token_owner(dynamodb: Any, settings: Settings, token: str) -> Any:
    return dynamodb.get_item(
        TableName=settings.table_name,
        Key={"PK": {"S": f"PUSHTOKEN#{token_hash(token)}"}, "SK": {"S": "OWNER"}},
        ConsistentRead=True,
    ).get("Item")
