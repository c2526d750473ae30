"""A culture's care reminders through the API, the scheduler and the reminders handler:
confirm a care suggestion (a one-time schedule), deliver it as a push, `done` logs the
culture's feed and schedules the next one; account deletion removes their schedules."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from litestar import Litestar
from litestar.testing import TestClient

from app.config import Settings
from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.services.push import ExpoPushClient
from app.store.devices import DeviceStore
from app.store.reminders import ReminderStore
from app.usecases.delivery import Delivery
from tests.api.test_sync import pull
from tests.conftest import User, new_user
from tests.expo_server import ExpoServer, new_token
from tests.helpers import (
    add_culture_event,
    assert_problem,
    create_culture,
    group_schedules,
    schedule,
)

Client = TestClient[Litestar]
UTC_ZONE = {"X-Time-Zone": "UTC"}


def starter(client: Client, user: User, **fields: Any) -> dict[str, Any]:
    return create_culture(client, user, name="Rye starter", kind="sourdough_starter", **fields)


def confirm(client: Client, user: User, culture_id: str, **body: Any) -> Any:
    return client.post(
        f"/cultures/{culture_id}/reminders/confirm",
        json=body,
        headers={**user.headers, **UTC_ZONE},
    )


def deliverer(settings: Settings, dynamodb: Any, expo: ExpoServer) -> Delivery:
    return Delivery(
        ReminderStore(dynamodb, settings.table_name),
        DeviceStore(dynamodb, settings.table_name),
        ExpoPushClient(expo.url, backoff_seconds=0.01),
    )


def test_a_care_suggestion_confirmed_gets_one_schedule_naming_the_culture(
    client: Client, alice: User, scheduler: Any, stack: StackOutputs
) -> None:
    culture = starter(client, alice)
    suggested = client.get(
        f"/cultures/{culture['id']}/reminders/suggestions", headers={**alice.headers, **UTC_ZONE}
    ).json()["items"]
    assert [s["key"] for s in suggested] == ["feed_starter"]
    before = set(group_schedules(scheduler, stack))

    response = confirm(client, alice, culture["id"], suggestionKey="feed_starter")
    assert response.status_code == 201, response.text
    reminder = response.json()
    assert (reminder["cultureId"], reminder["status"]) == (culture["id"], "scheduled")
    assert (reminder["action"], reminder["repeatEveryHours"]) == ("feed", 12)
    assert reminder["dueAt"] == suggested[0]["dueAt"]
    assert "batchId" not in reminder
    location = f"/cultures/{culture['id']}/reminders/{reminder['id']}"
    assert response.headers["location"] == location
    assert client.get(location, headers=alice.headers).json()["id"] == reminder["id"]

    assert set(group_schedules(scheduler, stack)) - before == {f"reminder-{reminder['id']}"}
    found = schedule(scheduler, stack, reminder["id"])
    assert found is not None
    due = datetime.fromisoformat(reminder["dueAt"])
    assert found["ScheduleExpression"] == f"at({due.strftime('%Y-%m-%dT%H:%M:%S')})"
    assert found["Target"]["Arn"] == stack.reminders_function_arn
    assert json.loads(found["Target"]["Input"]) == {
        "userId": alice.sub,
        "reminderId": reminder["id"],
        "cultureId": culture["id"],
    }

    # The same confirm again finds it: no second reminder, no second schedule.
    again = confirm(client, alice, culture["id"], suggestionKey="feed_starter")
    assert again.status_code == 200, again.text
    assert again.json()["id"] == reminder["id"]
    listed = client.get(f"/cultures/{culture['id']}/reminders", headers=alice.headers).json()
    assert [r["id"] for r in listed["items"]] == [reminder["id"]]
    assert set(group_schedules(scheduler, stack)) - before == {f"reminder-{reminder['id']}"}


def test_done_logs_the_cultures_feed_and_schedules_the_next_one(
    client: Client, alice: User, scheduler: Any, stack: StackOutputs
) -> None:
    culture = starter(client, alice)
    reminder = confirm(client, alice, culture["id"], suggestionKey="feed_starter").json()
    done_at = (datetime.now(UTC) - timedelta(minutes=5)).replace(microsecond=0)
    url = f"/cultures/{culture['id']}/reminders/{reminder['id']}"

    response = client.post(f"{url}/done", json={"doneAt": done_at.isoformat()},
                           headers=alice.headers)  # fmt: skip
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["reminder"]["status"] == "done"
    following = result["next"]
    assert following["status"] == "scheduled"
    assert datetime.fromisoformat(following["dueAt"]) == done_at + timedelta(hours=12)

    events = client.get(f"/cultures/{culture['id']}/events", headers=alice.headers).json()
    [fed] = events["items"]
    assert (fed["id"], fed["type"], fed["note"]) == (result["eventId"], "feed", "Feed the starter")
    detail = client.get(f"/cultures/{culture['id']}", headers=alice.headers).json()
    assert datetime.fromisoformat(detail["stats"]["lastFedAt"]) == done_at
    assert schedule(scheduler, stack, reminder["id"]) is None  # done before it fired
    assert schedule(scheduler, stack, following["id"]) is not None

    # Done again (the answer was lost): the same event and next reminder, nothing new.
    again = client.post(f"{url}/done", json={"doneAt": done_at.isoformat()}, headers=alice.headers)
    assert (again.json()["eventId"], again.json()["next"]["id"]) == (
        result["eventId"], following["id"],
    )  # fmt: skip
    assert len(client.get(f"/cultures/{culture['id']}/events", headers=alice.headers).json()[
        "items"]) == 1  # fmt: skip

    # The next care suggestion counts from this feed (rounded to a quarter hour).
    suggested = client.get(
        f"/cultures/{culture['id']}/reminders/suggestions", headers={**alice.headers, **UTC_ZONE}
    ).json()["items"]
    due = datetime.fromisoformat(suggested[0]["dueAt"])
    assert abs(due - (done_at + timedelta(hours=12))) <= timedelta(minutes=8)


def test_moving_and_cancelling_a_care_reminder_move_and_delete_its_schedule(
    client: Client, alice: User, scheduler: Any, stack: StackOutputs
) -> None:
    culture = starter(client, alice)
    due = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    reminder = confirm(client, alice, culture["id"], text="Feed before baking",
                       dueAt=due.isoformat()).json()  # fmt: skip
    url = f"/cultures/{culture['id']}/reminders/{reminder['id']}"
    later = due + timedelta(hours=1)
    moved = client.patch(url, json={"version": reminder["version"], "dueAt": later.isoformat()},
                         headers=alice.headers)  # fmt: skip
    assert moved.status_code == 200, moved.text
    found = schedule(scheduler, stack, reminder["id"])
    assert found is not None
    assert found["ScheduleExpression"] == f"at({later.strftime('%Y-%m-%dT%H:%M:%S')})"

    tag = client.get(url, headers=alice.headers).headers["etag"]
    unchanged = client.get(url, headers={**alice.headers, "If-None-Match": tag})
    assert unchanged.status_code == 304
    assert client.delete(url, headers=alice.headers).status_code == 204
    assert client.get(url, headers={**alice.headers, "If-None-Match": tag}).status_code == 200
    assert client.get(url, headers=alice.headers).json()["status"] == "cancelled"
    assert schedule(scheduler, stack, reminder["id"]) is None


def test_a_care_reminder_logs_a_feed_or_a_note_only_and_needs_an_open_culture(
    client: Client, alice: User
) -> None:
    culture = starter(client, alice)
    due = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    refused = confirm(client, alice, culture["id"], text="Strain", action="strain", dueAt=due)
    assert_problem(refused, 400, "validation")
    unknown = confirm(client, alice, culture["id"], suggestionKey="bottle")
    assert_problem(unknown, 400, "validation")
    client.patch(f"/cultures/{culture['id']}", json={"version": 1, "status": "retired"},
                 headers=alice.headers).raise_for_status()  # fmt: skip
    closed = confirm(client, alice, culture["id"], text="Feed", dueAt=due)
    assert_problem(closed, 409, "culture-closed")
    assert client.get(f"/cultures/{culture['id']}/reminders", headers=alice.headers).json() == {
        "items": []
    }


def test_someone_elses_culture_and_its_reminders_are_404(
    client: Client, alice: User, bob: User
) -> None:
    culture = starter(client, alice)
    reminder = confirm(client, alice, culture["id"], suggestionKey="feed_starter").json()
    base = f"/cultures/{culture['id']}/reminders"
    assert_problem(confirm(client, bob, culture["id"], suggestionKey="feed_starter"), 404,
                   "not-found")  # fmt: skip
    for response in (
        client.get(base, headers=bob.headers),
        client.get(f"{base}/suggestions", headers=bob.headers),
        client.get(f"{base}/{reminder['id']}", headers=bob.headers),
        client.post(f"{base}/{reminder['id']}/done", headers=bob.headers),
        client.delete(f"{base}/{reminder['id']}", headers=bob.headers),
    ):
        assert_problem(response, 404, "not-found")
    assert client.get(f"{base}/{reminder['id']}", headers=alice.headers).json()["status"] == (
        "scheduled"
    )


def test_the_reminders_handler_pushes_a_care_reminder_titled_with_the_culture(
    client: Client,
    settings: Settings,
    dynamodb: Any,
    expo: ExpoServer,
    stack: StackOutputs,
    emulator: Emulator,
) -> None:
    user = new_user(stack, emulator, "baker")
    token = new_token()
    client.post("/devices", json={"token": token, "platform": "ios"},
                headers=user.headers).raise_for_status()  # fmt: skip
    culture = starter(client, user)
    reminder = confirm(client, user, culture["id"], suggestionKey="feed_starter").json()
    event = {"userId": user.sub, "reminderId": reminder["id"], "cultureId": culture["id"]}
    deliver = deliverer(settings, dynamodb, expo).deliver
    due = datetime.fromisoformat(reminder["dueAt"])

    outcome = deliver(event, now=due)
    assert (outcome.outcome, outcome.accepted) == ("sent", 1)
    [message] = expo.messages_to(token)
    assert (message["title"], message["body"]) == ("Rye starter", "Feed the starter")
    assert message["data"] == {
        "cultureId": culture["id"], "reminderId": reminder["id"], "action": "feed",
    }  # fmt: skip
    url = f"/cultures/{culture['id']}/reminders/{reminder['id']}"
    assert client.get(url, headers=user.headers).json()["status"] == "sent"
    assert deliver(event, now=due).reason == "already-sent"

    # A sent reminder is still done from the notification: the feed is logged.
    done = client.post(f"{url}/done", headers=user.headers)
    assert done.status_code == 200, done.text
    assert add_culture_event(client, user, culture["id"], type="note")["type"] == "note"

    # A retired culture's next reminder fires into nothing.
    following = done.json()["next"]
    client.patch(f"/cultures/{culture['id']}", json={"version": 1, "status": "retired"},
                 headers=user.headers).raise_for_status()  # fmt: skip
    skipped = deliver({**event, "reminderId": following["id"]},
                      now=datetime.fromisoformat(following["dueAt"]))  # fmt: skip
    assert (skipped.outcome, skipped.reason) == ("skipped", "culture-retired")
    assert len(expo.messages_to(token)) == 1


def test_care_reminders_sync_in_their_own_group(
    client: Client, stack: StackOutputs, emulator: Emulator
) -> None:
    alice = new_user(stack, emulator, "sync-care")  # a feed of this test's own
    culture = starter(client, alice)
    cursor = pull(client, alice)["nextCursor"]
    reminder = confirm(client, alice, culture["id"], suggestionKey="feed_starter").json()
    changes = pull(client, alice, cursor)["changes"]
    assert [r["id"] for r in changes["cultureReminders"]["upserts"]] == [reminder["id"]]
    assert reminder["id"] not in [r["id"] for r in changes["reminders"]["upserts"]]
    client.delete(f"/cultures/{culture['id']}", headers=alice.headers).raise_for_status()
    changes = pull(client, alice, cursor)["changes"]
    assert reminder["id"] in [d["id"] for d in changes["cultureReminders"]["deletions"]]


def test_deleting_the_account_deletes_care_reminder_schedules(
    client: Client, stack: StackOutputs, emulator: Emulator
) -> None:
    user = new_user(stack, emulator, "leaving-baker")
    culture = starter(client, user)
    due = datetime.now(UTC) + timedelta(hours=3)
    ids = [
        confirm(client, user, culture["id"], text=f"Feed {i}",
                dueAt=(due + timedelta(hours=i)).isoformat()).json()["id"]
        for i in range(2)
    ]  # fmt: skip
    scheduler = boto3.client("scheduler", endpoint_url=emulator.endpoint, region_name=stack.region)
    names = {f"reminder-{rid}" for rid in ids}
    assert names <= set(group_schedules(scheduler, stack))

    assert client.delete("/me", headers=user.headers).status_code == 204
    assert not names & set(group_schedules(scheduler, stack))


def test_retiring_or_deleting_a_culture_ends_its_care_reminders_and_schedules(
    client: Client, alice: User, scheduler: Any, stack: StackOutputs
) -> None:
    retired, deleted = starter(client, alice), starter(client, alice)
    first = confirm(client, alice, retired["id"], suggestionKey="feed_starter").json()
    second = confirm(client, alice, deleted["id"], suggestionKey="feed_starter").json()
    assert schedule(scheduler, stack, first["id"]) is not None

    client.patch(f"/cultures/{retired['id']}", json={"version": 1, "status": "retired"},
                 headers=alice.headers).raise_for_status()  # fmt: skip
    url = f"/cultures/{retired['id']}/reminders/{first['id']}"
    assert client.get(url, headers=alice.headers).json()["status"] == "cancelled"
    assert schedule(scheduler, stack, first["id"]) is None

    client.delete(f"/cultures/{deleted['id']}", headers=alice.headers).raise_for_status()
    assert schedule(scheduler, stack, second["id"]) is None
