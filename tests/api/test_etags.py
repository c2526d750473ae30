"""Conditional reads: `ETag` on single resources, `If-None-Match` answers 304 while the
client's copy is current and 200 with the new tag once anything in it changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import TestClient

from tests.api.test_reminders_api import confirm
from tests.conftest import User
from tests.helpers import add_event, create_batch

Client = TestClient[Litestar]


def get(client: Client, user: User, path: str, tag: str | None = None) -> tuple[int, str, bytes]:
    headers = dict(user.headers)
    if tag is not None:
        headers["If-None-Match"] = tag
    response = client.get(path, headers=headers)
    assert response.status_code in (200, 304), response.text
    return response.status_code, response.headers["etag"], response.content


def test_a_batch_answers_304_until_it_or_its_events_change(client: Client, alice: User) -> None:
    batch = create_batch(client, alice)
    path = f"/batches/{batch['id']}"
    status, tag, _ = get(client, alice, path)
    assert status == 200
    status, same, body = get(client, alice, path, tag)
    assert (status, same, body) == (304, tag, b"")
    assert get(client, alice, path, f'W/{tag}, "other"')[0] == 304
    assert get(client, alice, path, "*")[0] == 304

    add_event(client, alice, batch["id"])
    status, after_event, _ = get(client, alice, path, tag)
    assert status == 200
    assert after_event != tag
    client.patch(
        path, json={"version": 1, "name": "Renamed"}, headers=alice.headers
    ).raise_for_status()
    status, after_patch, _ = get(client, alice, path, after_event)
    assert status == 200
    assert after_patch not in (tag, after_event)


def test_a_reminder_and_the_profile_carry_their_version(client: Client, alice: User) -> None:
    batch = create_batch(client, alice)
    due = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    reminder = confirm(client, alice, batch["id"], text="Check", dueAt=due).json()
    path = f"/batches/{batch['id']}/reminders/{reminder['id']}"
    _, tag, _ = get(client, alice, path)
    assert tag == f'"v{reminder["version"]}"'
    assert get(client, alice, path, tag)[0] == 304

    _, profile_tag, _ = get(client, alice, "/me")
    assert get(client, alice, "/me", profile_tag)[0] == 304
    client.patch("/me", json={"displayName": "Tagged"}, headers=alice.headers).raise_for_status()
    status, new_tag, _ = get(client, alice, "/me", profile_tag)
    assert status == 200
    assert new_tag != profile_tag
