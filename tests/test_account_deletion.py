"""Deleting an account (issue 10, items 2, 3 and 15): bounded and resumable, finished
asynchronously through the scheduler and the reminders function when it is long, only
open reminders' schedules deleted, the token refused afterwards, and every object
version gone from a versioned bucket."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.config import Settings
from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.dev.token import sign_in
from app.domain.batches import new_event
from app.domain.devices import token_hash
from app.domain.reminders import Reminder
from app.main import create_app
from app.store.items import event_to_item, reminder_to_item
from tests.conftest import User
from tests.expo_server import new_token
from tests.helpers import add_event, assert_problem, create_batch
from tests.test_photos import image_bytes, post_form, request_form, upload
from tests.test_reminders_api import group_schedules

Client = TestClient[Litestar]
# The emulator sweeps schedules every 10 s; the deployed function starts in a few.
CONTINUATION_BUDGET = timedelta(seconds=90)


def signed_in(stack: StackOutputs, emulator: Emulator, name: str) -> tuple[User, str]:
    """A new user and their refresh token (to see the sign-out)."""
    email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
    tokens = sign_in(
        email, stack.user_pool_id, stack.user_pool_client_id, endpoint=emulator.endpoint
    )
    return User(email, tokens["AccessToken"]), tokens["RefreshToken"]


def partition(dynamodb: Any, settings: Settings, user: User) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {
        "TableName": settings.table_name,
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": f"USER#{user.sub}"}},
        "ConsistentRead": True,
    }
    while True:
        page = dynamodb.query(**params)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def seed(dynamodb: Any, settings: Settings, items: list[dict[str, Any]]) -> None:
    """BatchWriteItem, 25 at a time: thousands of items in seconds, not minutes of API calls."""
    for start in range(0, len(items), 25):
        requests = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        while requests:
            answer = dynamodb.batch_write_item(RequestItems={settings.table_name: requests})
            requests = answer.get("UnprocessedItems", {}).get(settings.table_name, [])


def done_reminders(user: User, batch_id: str, count: int) -> list[dict[str, Any]]:
    """A long history of a 12-hourly reminder: every one of them done, long ago."""
    start = datetime(2024, 1, 1, 8, tzinfo=UTC)
    items = []
    for i in range(count):
        due = start + timedelta(hours=12 * i)
        reminder = Reminder(
            id=f"01HX{i:022d}",
            batch_id=batch_id,
            action="feed",
            text="Feed the starter",
            due_at=due,
            status="done",
            repeat_every_hours=12,
            suggestion_key="feed",
            created_at=due,
            updated_at=due,
            version=2,
            sent_at=due,
            done_at=due,
        )
        items.append(reminder_to_item(user.sub, reminder))
    return items


@pytest.fixture
def schedule_deletes(app: Litestar) -> Iterator[list[str]]:
    """DeleteSchedule calls the app makes, counted on its real scheduler client."""
    seen: list[str] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        seen.append(params["Name"])

    events = app.state.account.scheduler.client.meta.events
    events.register("provide-client-params.scheduler.DeleteSchedule", record)
    yield seen
    events.unregister("provide-client-params.scheduler.DeleteSchedule", record)


def open_reminders(client: Client, user: User, batch_id: str, count: int) -> list[str]:
    ids = []
    for i in range(count):
        due = (datetime.now(UTC) + timedelta(hours=2 + i)).replace(microsecond=0)
        response = client.post(
            f"/batches/{batch_id}/reminders/confirm",
            json={"text": f"Strain {i}", "action": "strain", "dueAt": due.isoformat()},
            headers=user.headers,
        )
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "scheduled"
        ids.append(response.json()["id"])
    return ids


def test_2000_done_and_3_open_reminders_make_3_schedule_deletes_and_leave_nothing(
    client: Client,
    dynamodb: Any,
    settings: Settings,
    stack: StackOutputs,
    emulator: Emulator,
    schedule_deletes: list[str],
) -> None:
    user, _ = signed_in(stack, emulator, "veteran")
    batch = create_batch(client, user, name="Old starter", kind="sourdough")
    opened = open_reminders(client, user, batch["id"], 3)
    seed(dynamodb, settings, done_reminders(user, batch["id"], 2000))
    assert len(partition(dynamodb, settings, user)) == 2004  # + the batch

    response = client.delete("/me", headers=user.headers)

    assert response.status_code == 204, response.text
    assert len(schedule_deletes) <= 3
    assert sorted(schedule_deletes) == sorted(f"reminder-{rid}" for rid in opened)
    assert partition(dynamodb, settings, user) == []
    scheduler = boto3.client("scheduler", endpoint_url=emulator.endpoint, region_name=stack.region)
    assert not set(group_schedules(scheduler, stack)) & {f"reminder-{rid}" for rid in opened}


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
    seed(dynamodb, settings, [event_to_item(user.sub, event) for event in events])
    token = new_token()
    client.post("/devices", json={"token": token, "platform": "ios"}, headers=user.headers)
    monkeypatch.setattr(app.state.account, "items_per_run", 100)

    response = client.delete("/me", headers=user.headers)

    assert response.status_code == 202, response.text
    left = partition(dynamodb, settings, user)
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
            return partition(dynamodb, settings, user) == []
        return False

    assert wait_for(finished, CONTINUATION_BUDGET), partition(dynamodb, settings, user)[:3]
    assert (
        dynamodb.get_item(
            TableName=settings.table_name,
            Key={"PK": {"S": f"PUSHTOKEN#{token_hash(token)}"}, "SK": {"S": "OWNER"}},
            ConsistentRead=True,
        ).get("Item")
        is None
    )
    assert_problem(client.delete("/me", headers=user.headers), 410, "account-deleted")


def test_a_deletion_cut_short_is_finished_by_calling_again(
    client: Client,
    app: Litestar,
    dynamodb: Any,
    settings: Settings,
    stack: StackOutputs,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user, _ = signed_in(stack, emulator, "again")
    batch = create_batch(client, user)
    for _ in range(30):
        add_event(client, user, batch["id"])
    monkeypatch.setattr(app.state.account, "items_per_run", 10)
    assert client.delete("/me", headers=user.headers).status_code == 202
    monkeypatch.setattr(app.state.account, "items_per_run", 5000)
    assert client.delete("/me", headers=user.headers).status_code == 204
    assert partition(dynamodb, settings, user) == []


def test_after_deletion_the_same_token_writes_nothing_anywhere(
    client: Client,
    dynamodb: Any,
    settings: Settings,
    stack: StackOutputs,
    emulator: Emulator,
) -> None:
    user, _ = signed_in(stack, emulator, "gone")
    batch = create_batch(client, user)
    event = add_event(client, user, batch["id"])
    photo = upload(client, user, batch["id"])
    due = (datetime.now(UTC) + timedelta(hours=3)).replace(microsecond=0).isoformat()
    reminder = client.post(
        f"/batches/{batch['id']}/reminders/confirm",
        json={"text": "Strain", "dueAt": due},
        headers=user.headers,
    ).json()
    token = new_token()
    client.post("/devices", json={"token": token, "platform": "ios"}, headers=user.headers)
    assert client.delete("/me", headers=user.headers).status_code == 204

    b, r = f"/batches/{batch['id']}", f"/batches/{batch['id']}/reminders/{reminder['id']}"
    writes: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "/me", None),  # creates the profile on first use: must not
        ("PATCH", "/me", {"displayName": "Back"}),
        ("DELETE", "/me", None),
        ("POST", "/batches", {"name": "After", "kind": "other"}),
        ("PATCH", b, {"version": 1, "name": "Renamed"}),
        ("DELETE", b, None),
        ("POST", f"{b}/events", {"type": "feed"}),
        ("DELETE", f"{b}/events/{event['id']}", None),
        ("POST", f"{b}/reminders/confirm", {"text": "Again", "dueAt": due}),
        ("PATCH", r, {"version": 1, "snoozeMinutes": 10}),
        ("DELETE", r, None),
        ("POST", f"{r}/done", {}),
        ("POST", f"{b}/photos/upload", {"contentType": "image/png"}),
        ("POST", f"{b}/photos", {"photoId": photo["id"]}),
        ("DELETE", f"{b}/photos/{photo['id']}", None),
        ("POST", "/devices", {"token": new_token(), "platform": "ios"}),
        ("DELETE", f"/devices/{token}", None),
    ]
    for method, path, body in writes:
        response = client.request(method, path, json=body, headers=user.headers)
        assert response.status_code in (401, 410), (method, path, response.text)
        if response.status_code == 410:
            assert_problem(response, 410, "account-deleted")
    assert partition(dynamodb, settings, user) == []


def test_deletion_removes_every_object_version_and_the_exports(
    settings: Settings,
    dynamodb: Any,
    stack: StackOutputs,
    emulator: Emulator,
) -> None:
    """The prod bucket is versioned: a plain delete would leave every byte behind a
    delete marker. Here the app runs against a versioned bucket of its own."""
    s3 = boto3.client("s3", endpoint_url=emulator.endpoint, region_name=stack.region)
    bucket = f"versioned-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    versioned = msgspec.structs.replace(
        settings, photos_bucket=bucket, export_inline_max_bytes=1024
    )
    with TestClient(create_app(versioned)) as client:
        user, _ = signed_in(stack, emulator, "versions")
        batch = create_batch(client, user, notes="n" * 1500)
        kept = upload(client, user, batch["id"])
        dropped = upload(client, user, batch["id"])
        assert (
            client.delete(
                f"/batches/{batch['id']}/photos/{dropped['id']}", headers=user.headers
            ).status_code
            == 204
        )
        form = request_form(client, user, batch["id"])  # uploaded, never confirmed
        assert post_form(form, image_bytes()).status_code == 204
        export = client.get("/export.csv", headers=user.headers, follow_redirects=False)
        assert export.status_code == 303, export.text
        before = versions(s3, bucket, user)
        assert any(k.startswith(f"exports/{user.sub}/") for k, _ in before)
        assert any(marker for _, marker in before)  # the deleted photo's delete marker
        assert kept["id"]

        assert client.delete("/me", headers=user.headers).status_code == 204

        assert versions(s3, bucket, user) == []


def versions(s3: Any, bucket: str, user: User) -> list[tuple[str, bool]]:
    found: list[tuple[str, bool]] = []
    for prefix in (f"users/{user.sub}/", f"pending/users/{user.sub}/", f"exports/{user.sub}/"):
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
            found += [(v["Key"], False) for v in page.get("Versions", [])]
            found += [(m["Key"], True) for m in page.get("DeleteMarkers", [])]
    return found


def wait_for(check: Callable[[], bool], budget: timedelta) -> bool:
    until = datetime.now(UTC) + budget
    while datetime.now(UTC) < until:
        if check():
            return True
        time.sleep(1)
    return check()
