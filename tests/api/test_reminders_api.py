"""Reminder routes against the emulator's table and EventBridge Scheduler."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.config import Settings
from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.main import create_app
from app.usecases.reminders import ConfirmRequest
from tests.conftest import User
from tests.helpers import assert_problem, create_batch, group_schedules, schedule

Client = TestClient[Litestar]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def in_(**delta: float) -> datetime:
    return (datetime.now(UTC) + timedelta(**delta)).replace(microsecond=0)


def confirm(client: Client, user: User, batch_id: str, **body: Any) -> Any:
    return client.post(f"/batches/{batch_id}/reminders/confirm", json=body, headers=user.headers)


def reminder_of(client: Client, user: User, batch_id: str, reminder_id: str) -> dict[str, Any]:
    response = client.get(f"/batches/{batch_id}/reminders/{reminder_id}", headers=user.headers)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


# --- suggestions -----------------------------------------------------------------------


def test_creating_a_batch_returns_its_suggestions(client: Client, alice: User) -> None:
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    batch = create_batch(client, alice, kind="milk_kefir", startedAt=iso(started), temperatureC=21)
    [strain] = batch["suggestions"]
    assert strain["key"] == "strain"
    assert strain["action"] == "strain"
    assert strain["repeatEveryHours"] == 24
    due = datetime.fromisoformat(strain["dueAt"])
    assert abs(due - (started + timedelta(hours=24))) <= timedelta(minutes=8)
    assert strain["overdue"] is False
    # The rest of the batch is as before.
    assert batch["kind"] == "milk_kefir"
    assert batch["version"] == 1


def test_suggestions_are_recomputed_after_new_events(client: Client, alice: User) -> None:
    batch = create_batch(client, alice, kind="kombucha", temperatureC=24)
    url = f"/batches/{batch['id']}/reminders/suggestions"
    before = client.get(url, headers=alice.headers).json()
    assert [s["key"] for s in before["items"]] == ["second_ferment"]
    client.post(
        f"/batches/{batch['id']}/events", json={"type": "second_ferment"}, headers=alice.headers
    )
    after = client.get(url, headers=alice.headers).json()
    assert [s["key"] for s in after["items"]] == ["bottle"]


def test_suggestions_are_computed_in_the_profile_time_zone(
    client: Client, emulator: Emulator, stack: StackOutputs
) -> None:
    from tests.conftest import new_user

    user = new_user(stack, emulator, "zoned")
    batch = create_batch(client, user, kind="kombucha")
    url = f"/batches/{batch['id']}/reminders/suggestions"
    assert client.get(url, headers=user.headers).json()["timeZone"] == "UTC"
    client.patch("/me", json={"timeZone": "Europe/Berlin"}, headers=user.headers).raise_for_status()
    assert client.get(url, headers=user.headers).json()["timeZone"] == "Europe/Berlin"


def test_the_devices_time_zone_header_wins_over_the_profile(client: Client, alice: User) -> None:
    created = client.post(
        "/batches",
        json={"name": "travelling", "kind": "kombucha"},
        headers={**alice.headers, "X-Time-Zone": "America/New_York"},
    )
    assert created.status_code == 201, created.text
    url = f"/batches/{created.json()['id']}/reminders/suggestions"
    found = client.get(url, headers={**alice.headers, "X-Time-Zone": "America/New_York"}).json()
    assert found["timeZone"] == "America/New_York"
    assert [s["dueAt"] for s in found["items"]] == [
        s["dueAt"] for s in created.json()["suggestions"]
    ]


def test_an_unknown_time_zone_header_is_a_400(client: Client, alice: User) -> None:
    response = client.post(
        "/batches",
        json={"name": "nowhere", "kind": "kombucha"},
        headers={**alice.headers, "X-Time-Zone": "Mars/Olympus"},
    )
    problem = assert_problem(response, 400, "validation")
    assert problem["errors"][0]["field"] == "X-Time-Zone"


def test_suggestions_of_an_unknown_or_someone_elses_batch_are_404(
    client: Client, alice: User, bob: User
) -> None:
    batch = create_batch(client, alice)
    for user, batch_id in ((bob, batch["id"]), (alice, "01JD0000000000000000000000")):
        response = client.get(f"/batches/{batch_id}/reminders/suggestions", headers=user.headers)
        assert_problem(response, 404, "not-found")


# --- confirm ---------------------------------------------------------------------------


def test_confirm_creates_exactly_one_schedule_with_the_right_expression_input_and_target(
    client: Client, alice: User, scheduler: Any, stack: StackOutputs
) -> None:
    batch = create_batch(client, alice, kind="milk_kefir", temperatureC=21)
    before = set(group_schedules(scheduler, stack))
    response = confirm(client, alice, batch["id"], suggestionKey="strain")
    assert response.status_code == 201, response.text
    reminder = response.json()
    assert reminder["status"] == "scheduled"
    assert reminder["action"] == "strain"
    assert reminder["repeatEveryHours"] == 24
    assert reminder["dueAt"] == batch["suggestions"][0]["dueAt"]

    added = set(group_schedules(scheduler, stack)) - before
    assert added == {f"reminder-{reminder['id']}"}
    found = schedule(scheduler, stack, reminder["id"])
    assert found is not None
    due = datetime.fromisoformat(reminder["dueAt"])
    assert found["ScheduleExpression"] == f"at({due.strftime('%Y-%m-%dT%H:%M:%S')})"
    assert found["ScheduleExpressionTimezone"] == "UTC"
    assert found["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert found["ActionAfterCompletion"] == "DELETE"
    assert found["State"] == "ENABLED"
    target = found["Target"]
    assert target["Arn"] == stack.reminders_function_arn
    assert target["RoleArn"] == stack.scheduler_role_arn
    assert target["DeadLetterConfig"] == {"Arn": stack.reminders_dlq_arn}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert json.loads(target["Input"]) == {
        "userId": alice.sub,
        "batchId": batch["id"],
        "reminderId": reminder["id"],
    }


def test_a_custom_reminder_needs_text_and_a_time(client: Client, alice: User) -> None:
    batch = create_batch(client, alice)
    created = confirm(client, alice, batch["id"], text="Check the fizz", dueAt=iso(in_(hours=3)))
    assert created.status_code == 201, created.text
    assert created.json()["action"] == "note"
    assert created.json()["suggestionKey"] is None
    problem = assert_problem(confirm(client, alice, batch["id"], text="x"), 400, "validation")
    assert problem["errors"][0]["field"] == "dueAt"
    problem = assert_problem(
        confirm(client, alice, batch["id"], dueAt=iso(in_(hours=3))), 400, "validation"
    )
    assert problem["errors"][0]["field"] == "text"
    problem = assert_problem(
        confirm(client, alice, batch["id"], suggestionKey="bottle"), 400, "validation"
    )
    assert problem["errors"][0]["field"] == "suggestionKey"


def test_a_retried_confirm_creates_no_second_reminder_or_schedule(
    client: Client, alice: User, scheduler: Any, stack: StackOutputs
) -> None:
    batch = create_batch(client, alice)
    body = {
        "text": "Strain",
        "action": "strain",
        "dueAt": iso(in_(hours=5)),
        "repeatEveryHours": 24,
    }
    first = confirm(client, alice, batch["id"], **body)
    assert first.status_code == 201, first.text
    schedules = set(group_schedules(scheduler, stack))
    second = confirm(client, alice, batch["id"], **body)
    assert second.status_code == 200, second.text
    assert second.json()["id"] == first.json()["id"]
    assert set(group_schedules(scheduler, stack)) == schedules
    listed = client.get(f"/batches/{batch['id']}/reminders", headers=alice.headers).json()
    assert [r["id"] for r in listed["items"]] == [first.json()["id"]]


@pytest.mark.parametrize(
    ("due", "field"),
    [
        (lambda: in_(minutes=-5), "dueAt"),
        (lambda: in_(seconds=5), "dueAt"),
        (lambda: in_(days=367), "dueAt"),
    ],
    ids=["past", "too-soon", "over-a-year"],
)
def test_times_in_the_past_or_over_a_year_ahead_are_refused(
    client: Client, alice: User, scheduler: Any, stack: StackOutputs, due: Any, field: str
) -> None:
    batch = create_batch(client, alice)
    before = group_schedules(scheduler, stack)
    problem = assert_problem(
        confirm(client, alice, batch["id"], text="x", dueAt=iso(due())), 400, "validation"
    )
    assert problem["errors"][0]["field"] == field
    assert group_schedules(scheduler, stack) == before
    listed = client.get(f"/batches/{batch['id']}/reminders", headers=alice.headers).json()
    assert listed["items"] == []


def test_a_finished_batch_takes_no_reminders(
    client: Client, alice: User, scheduler: Any, stack: StackOutputs
) -> None:
    batch = create_batch(client, alice)
    client.patch(
        f"/batches/{batch['id']}", json={"version": 1, "status": "finished"}, headers=alice.headers
    )
    before = group_schedules(scheduler, stack)
    response = confirm(client, alice, batch["id"], text="x", dueAt=iso(in_(hours=2)))
    assert_problem(response, 409, "batch-closed")
    assert group_schedules(scheduler, stack) == before


def test_someone_elses_batch_and_reminders_are_404(client: Client, alice: User, bob: User) -> None:
    batch = create_batch(client, alice)
    reminder = confirm(client, alice, batch["id"], text="Mine", dueAt=iso(in_(hours=4))).json()
    base = f"/batches/{batch['id']}/reminders"
    for response in (
        confirm(client, bob, batch["id"], text="x", dueAt=iso(in_(hours=4))),
        client.get(base, headers=bob.headers),
        client.get(f"{base}/{reminder['id']}", headers=bob.headers),
        client.patch(f"{base}/{reminder['id']}", json={"version": 1}, headers=bob.headers),
        client.delete(f"{base}/{reminder['id']}", headers=bob.headers),
        client.post(f"{base}/{reminder['id']}/done", headers=bob.headers),
        client.get(f"{base}/not-an-id", headers=alice.headers),
    ):
        assert_problem(response, 404, "not-found")
    assert reminder_of(client, alice, batch["id"], reminder["id"])["status"] == "scheduled"


def test_when_the_scheduler_fails_no_reminder_is_left_scheduled(
    settings: Settings, alice: User, client: Client
) -> None:
    """A schedule group that does not exist makes the emulator refuse CreateSchedule."""
    broken = msgspec.structs.replace(settings, reminders_schedule_group="no-such-group")
    batch = create_batch(client, alice)
    with TestClient(create_app(broken)) as other:
        response = other.post(
            f"/batches/{batch['id']}/reminders/confirm",
            json={"text": "x", "dueAt": iso(in_(hours=2))},
            headers=alice.headers,
        )
    assert_problem(response, 503, "service-unavailable")
    listed = client.get(f"/batches/{batch['id']}/reminders", headers=alice.headers).json()
    assert listed["items"] == []


def test_without_reminder_settings_the_routes_answer_503(
    settings: Settings, alice: User, client: Client
) -> None:
    unconfigured = msgspec.structs.replace(settings, reminders_schedule_group=None)
    batch = create_batch(client, alice)
    with TestClient(create_app(unconfigured)) as other:
        response = other.post(
            f"/batches/{batch['id']}/reminders/confirm",
            json={"text": "x", "dueAt": iso(in_(hours=2))},
            headers=alice.headers,
        )
    assert_problem(response, 503, "service-unavailable")


# --- move, cancel ----------------------------------------------------------------------


def test_moving_a_reminder_moves_its_schedule(
    client: Client, alice: User, scheduler: Any, stack: StackOutputs
) -> None:
    batch = create_batch(client, alice)
    reminder = confirm(client, alice, batch["id"], text="Taste", dueAt=iso(in_(hours=2))).json()
    url = f"/batches/{batch['id']}/reminders/{reminder['id']}"
    later = in_(hours=6)
    version = reminder["version"]
    moved = client.patch(url, json={"version": version, "dueAt": iso(later)}, headers=alice.headers)
    assert moved.status_code == 200, moved.text
    assert moved.json()["version"] == version + 1
    assert moved.json()["dueAt"] == iso(later)
    found = schedule(scheduler, stack, reminder["id"])
    assert found is not None
    assert found["ScheduleExpression"] == f"at({later.strftime('%Y-%m-%dT%H:%M:%S')})"

    stale = client.patch(url, json={"version": version, "snoozeMinutes": 10}, headers=alice.headers)
    assert_problem(stale, 409, "stale-version")
    snoozed = client.patch(
        url, json={"version": version + 1, "snoozeMinutes": 30}, headers=alice.headers
    )
    assert snoozed.status_code == 200, snoozed.text
    due = datetime.fromisoformat(snoozed.json()["dueAt"])
    assert abs(due - in_(minutes=30)) < timedelta(minutes=1)
    found = schedule(scheduler, stack, reminder["id"])
    assert found is not None
    assert found["ScheduleExpression"] == f"at({due.strftime('%Y-%m-%dT%H:%M:%S')})"
    assert_problem(
        client.patch(
            url, json={"version": version + 2, "dueAt": iso(in_(minutes=-1))}, headers=alice.headers
        ),
        400,
        "validation",
    )


def test_cancelling_deletes_the_schedule(
    client: Client, alice: User, scheduler: Any, stack: StackOutputs
) -> None:
    batch = create_batch(client, alice)
    reminder = confirm(client, alice, batch["id"], text="Feed", dueAt=iso(in_(hours=2))).json()
    assert schedule(scheduler, stack, reminder["id"]) is not None
    url = f"/batches/{batch['id']}/reminders/{reminder['id']}"
    assert client.delete(url, headers=alice.headers).status_code == 204
    assert schedule(scheduler, stack, reminder["id"]) is None
    assert reminder_of(client, alice, batch["id"], reminder["id"])["status"] == "cancelled"
    assert client.delete(url, headers=alice.headers).status_code == 204  # idempotent
    cancelled = reminder_of(client, alice, batch["id"], reminder["id"])
    moved = client.patch(
        url, json={"version": cancelled["version"], "snoozeMinutes": 5}, headers=alice.headers
    )
    assert_problem(moved, 409, "reminder-closed")


def test_finishing_a_batch_cancels_its_reminders(
    client: Client, alice: User, scheduler: Any, stack: StackOutputs
) -> None:
    batch = create_batch(client, alice)
    ids = [
        confirm(client, alice, batch["id"], text=f"Step {i}", dueAt=iso(in_(hours=2 + i))).json()[
            "id"
        ]
        for i in range(2)
    ]
    finished = client.patch(
        f"/batches/{batch['id']}", json={"version": 1, "status": "finished"}, headers=alice.headers
    )
    assert finished.status_code == 200, finished.text
    for reminder_id in ids:
        assert schedule(scheduler, stack, reminder_id) is None
        assert reminder_of(client, alice, batch["id"], reminder_id)["status"] == "cancelled"


def test_deleting_a_batch_deletes_its_schedules(
    client: Client, alice: User, scheduler: Any, stack: StackOutputs
) -> None:
    batch = create_batch(client, alice)
    reminder = confirm(client, alice, batch["id"], text="x", dueAt=iso(in_(hours=2))).json()
    assert client.delete(f"/batches/{batch['id']}", headers=alice.headers).status_code == 204
    assert schedule(scheduler, stack, reminder["id"]) is None
    response = client.get(f"/batches/{batch['id']}/reminders", headers=alice.headers)
    assert_problem(response, 404, "not-found")


# --- done ------------------------------------------------------------------------------


@pytest.fixture
def repeating(client: Client, alice: User) -> tuple[dict[str, Any], dict[str, Any]]:
    batch = create_batch(client, alice, kind="milk_kefir")
    reminder = confirm(
        client,
        alice,
        batch["id"],
        suggestionKey="strain",
        dueAt=iso(in_(hours=1)),
        repeatEveryHours=24,
    ).json()
    return batch, reminder


def test_done_on_a_repeating_reminder_logs_one_event_and_leaves_one_next_schedule(
    client: Client,
    alice: User,
    scheduler: Any,
    stack: StackOutputs,
    repeating: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    batch, reminder = repeating
    url = f"/batches/{batch['id']}/reminders/{reminder['id']}/done"
    before = set(group_schedules(scheduler, stack))
    done_at = datetime.now(UTC)
    first = client.post(url, headers=alice.headers)
    assert first.status_code == 200, first.text
    result = first.json()
    assert result["reminder"]["status"] == "done"
    following = result["next"]
    assert following["status"] == "scheduled"
    assert following["repeatEveryHours"] == 24
    # From the moment it was done, not from the old due time (an hour from now).
    due = datetime.fromisoformat(following["dueAt"])
    assert abs(due - (done_at + timedelta(hours=24))) < timedelta(minutes=1)

    second = client.post(url, headers=alice.headers)
    assert second.status_code == 200, second.text
    assert second.json() == result

    events = client.get(f"/batches/{batch['id']}/events", headers=alice.headers).json()["items"]
    assert [(e["type"], e["id"]) for e in events] == [("strain", result["eventId"])]
    after = set(group_schedules(scheduler, stack))
    assert after - before == {f"reminder-{following['id']}"}
    assert before - after == {f"reminder-{reminder['id']}"}  # done before it fired
    found = schedule(scheduler, stack, following["id"])
    assert found is not None
    assert json.loads(found["Target"]["Input"])["reminderId"] == following["id"]
    listed = client.get(f"/batches/{batch['id']}/reminders", headers=alice.headers).json()
    assert sorted(r["status"] for r in listed["items"]) == ["done", "scheduled"]


def test_done_with_an_earlier_time_counts_from_then(
    client: Client, alice: User, repeating: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    batch, reminder = repeating
    done_at = in_(hours=-2)
    response = client.post(
        f"/batches/{batch['id']}/reminders/{reminder['id']}/done",
        json={"doneAt": iso(done_at)},
        headers=alice.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["next"]["dueAt"] == iso(done_at + timedelta(hours=24))
    events = client.get(f"/batches/{batch['id']}/events", headers=alice.headers).json()["items"]
    assert [e["occurredAt"] for e in events] == [iso(done_at)]


def test_done_on_a_one_off_reminder_schedules_nothing(
    client: Client, alice: User, scheduler: Any, stack: StackOutputs
) -> None:
    batch = create_batch(client, alice, kind="kombucha")
    reminder = confirm(
        client, alice, batch["id"], text="Bottle", action="bottle", dueAt=iso(in_(hours=3))
    ).json()
    before = set(group_schedules(scheduler, stack))
    response = client.post(
        f"/batches/{batch['id']}/reminders/{reminder['id']}/done", headers=alice.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["next"] is None
    assert set(group_schedules(scheduler, stack)) == before - {f"reminder-{reminder['id']}"}
    events = client.get(f"/batches/{batch['id']}/events", headers=alice.headers).json()["items"]
    assert [e["type"] for e in events] == ["bottle"]


def test_done_on_a_cancelled_reminder_is_refused(client: Client, alice: User) -> None:
    batch = create_batch(client, alice)
    reminder = confirm(client, alice, batch["id"], text="x", dueAt=iso(in_(hours=2))).json()
    base = f"/batches/{batch['id']}/reminders/{reminder['id']}"
    client.delete(base, headers=alice.headers)
    assert_problem(client.post(f"{base}/done", headers=alice.headers), 409, "reminder-closed")
    events = client.get(f"/batches/{batch['id']}/events", headers=alice.headers).json()["items"]
    assert events == []


def test_done_in_the_future_is_refused(
    client: Client, alice: User, repeating: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    batch, reminder = repeating
    response = client.post(
        f"/batches/{batch['id']}/reminders/{reminder['id']}/done",
        json={"doneAt": iso(in_(hours=2))},
        headers=alice.headers,
    )
    problem = assert_problem(response, 400, "validation")
    assert problem["errors"][0]["field"] == "doneAt"
    assert reminder_of(client, alice, batch["id"], reminder["id"])["status"] == "scheduled"


@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_identical_confirms_make_one_reminder_and_one_schedule(
    app: Litestar, client: Client, alice: User, scheduler: Any, stack: StackOutputs, attempt: int
) -> None:
    """Straight into the flow from threads: the test client would serialise requests."""
    batch = create_batch(client, alice)
    request = ConfirmRequest(text="Feed", action="feed", due_at=in_(hours=7))
    flows = app.state.reminders
    before = set(group_schedules(scheduler, stack))

    def confirm_once(_: int) -> Any:
        return flows.confirm(alice.sub, batch["id"], request, datetime.now(UTC))

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(confirm_once, range(4)))
    assert len({reminder.id for reminder, _ in results}) == 1
    assert [created for _, created in results].count(True) == 1
    assert {reminder.status for reminder, _ in results} == {"scheduled"}
    assert len(set(group_schedules(scheduler, stack)) - before) == 1


@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_done_calls_log_one_event_and_one_next_reminder(
    attempt: int,
    app: Litestar,
    client: Client,
    alice: User,
    scheduler: Any,
    stack: StackOutputs,
    repeating: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    batch, reminder = repeating
    flows = app.state.reminders
    before = set(group_schedules(scheduler, stack))

    def done(_: int) -> Any:
        return flows.done(alice.sub, batch["id"], reminder["id"], None, datetime.now(UTC))

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(done, range(4)))
    assert len({(r.event_id, r.next.id) for r in results}) == 1
    events = client.get(f"/batches/{batch['id']}/events", headers=alice.headers).json()["items"]
    assert [e["id"] for e in events] == [results[0].event_id]
    after = set(group_schedules(scheduler, stack))
    assert after - before == {f"reminder-{results[0].next.id}"}


def test_confirming_again_on_a_finished_batch_does_not_revive_a_cancelled_reminder(
    client: Client, alice: User, scheduler: Any, stack: StackOutputs
) -> None:
    batch = create_batch(client, alice)
    body = {"text": "Bottle", "action": "bottle", "dueAt": iso(in_(hours=9))}
    reminder = confirm(client, alice, batch["id"], **body).json()
    client.patch(
        f"/batches/{batch['id']}", json={"version": 1, "status": "finished"}, headers=alice.headers
    )
    assert_problem(confirm(client, alice, batch["id"], **body), 409, "batch-closed")
    assert reminder_of(client, alice, batch["id"], reminder["id"])["status"] == "cancelled"
    assert schedule(scheduler, stack, reminder["id"]) is None


def test_confirming_a_cancelled_reminder_again_schedules_it_again(
    client: Client, alice: User, scheduler: Any, stack: StackOutputs
) -> None:
    batch = create_batch(client, alice)
    body = {"text": "Taste", "action": "taste", "dueAt": iso(in_(hours=9))}
    reminder = confirm(client, alice, batch["id"], **body).json()
    client.delete(f"/batches/{batch['id']}/reminders/{reminder['id']}", headers=alice.headers)
    again = confirm(client, alice, batch["id"], **body)
    assert again.status_code == 201, again.text
    assert (again.json()["id"], again.json()["status"]) == (reminder["id"], "scheduled")
    assert schedule(scheduler, stack, reminder["id"]) is not None


def test_done_costs_a_read_a_transaction_and_the_follow_ups_status(
    app: Litestar,
    client: Client,
    alice: User,
    repeating: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    batch, reminder = repeating
    calls: list[str] = []

    def record(event_name: str, **_: Any) -> None:
        calls.append(event_name.rsplit(".", 1)[-1])

    events = app.state.reminders.store.client.meta.events
    events.register("before-call.dynamodb", record)
    try:
        response = client.post(
            f"/batches/{batch['id']}/reminders/{reminder['id']}/done", headers=alice.headers
        )
    finally:
        events.unregister("before-call.dynamodb", record)
    assert response.status_code == 200, response.text
    assert calls == ["GetItem", "TransactWriteItems", "UpdateItem"]
