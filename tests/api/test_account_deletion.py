"""Deleting an account (issue 10, items 2, 3 and 15): bounded and resumable, only open
reminders' schedules deleted, the token refused afterwards, every object version gone
from a versioned bucket. The run that continues in the reminders function is in
tests/e2e/test_account_deletion_continues.py."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
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
from app.domain.reminders import Reminder
from app.main import create_app
from app.store.items import reminder_to_item
from tests.api.test_photos import image_bytes, post_form, request_form, upload
from tests.conftest import User, new_user
from tests.expo_server import new_token
from tests.helpers import (
    add_event,
    assert_problem,
    create_batch,
    group_schedules,
    partition_items,
    put_items,
)

Client = TestClient[Litestar]


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
    user = new_user(stack, emulator, "veteran")
    batch = create_batch(client, user, name="Old starter", kind="sourdough")
    opened = open_reminders(client, user, batch["id"], 3)
    put_items(dynamodb, settings.table_name, done_reminders(user, batch["id"], 2000))
    assert len(partition_items(dynamodb, settings.table_name, user.sub)) == 2004  # + the batch

    response = client.delete("/me", headers=user.headers)

    assert response.status_code == 204, response.text
    assert len(schedule_deletes) <= 3
    assert sorted(schedule_deletes) == sorted(f"reminder-{rid}" for rid in opened)
    assert partition_items(dynamodb, settings.table_name, user.sub) == []
    scheduler = boto3.client("scheduler", endpoint_url=emulator.endpoint, region_name=stack.region)
    assert not set(group_schedules(scheduler, stack)) & {f"reminder-{rid}" for rid in opened}


def test_a_deletion_cut_short_is_finished_by_calling_again(
    client: Client,
    app: Litestar,
    dynamodb: Any,
    settings: Settings,
    stack: StackOutputs,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = new_user(stack, emulator, "again")
    batch = create_batch(client, user)
    for _ in range(30):
        add_event(client, user, batch["id"])
    monkeypatch.setattr(app.state.account, "items_per_run", 10)
    assert client.delete("/me", headers=user.headers).status_code == 202
    monkeypatch.setattr(app.state.account, "items_per_run", 5000)
    assert client.delete("/me", headers=user.headers).status_code == 204
    assert partition_items(dynamodb, settings.table_name, user.sub) == []


def test_after_deletion_the_same_token_writes_nothing_anywhere(
    client: Client,
    dynamodb: Any,
    settings: Settings,
    stack: StackOutputs,
    emulator: Emulator,
) -> None:
    user = new_user(stack, emulator, "gone")
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
    assert partition_items(dynamodb, settings.table_name, user.sub) == []


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
        user = new_user(stack, emulator, "versions")
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
