"""The reminders Lambda handler, run in-process against the emulator's table and the
loopback Expo server (which speaks Expo's push protocol)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from structlog.contextvars import merge_contextvars
from structlog.testing import capture_logs

from app.config import Settings, get_settings
from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.domain.devices import Device, token_hash
from app.domain.reminders import MAX_DELIVERY_ATTEMPTS
from app.entrypoints import reminders as entrypoint
from app.services.push import CHUNK_SIZE, ExpoPushClient, LogPushSender, PushSender
from app.store.devices import DeviceStore
from app.store.reminders import ReminderStore
from app.usecases.delivery import Delivery, DeliveryFailed
from tests.conftest import User, new_user
from tests.expo_server import ExpoServer, new_token
from tests.helpers import create_batch, function_environment

Client = TestClient[Litestar]


class Setup:
    """A user with devices, a batch and a confirmed reminder, ready to deliver."""

    def __init__(
        self,
        client: Client,
        user: User,
        devices: int,
        kind: str = "milk_kefir",
        due: datetime | None = None,
    ):
        self.user = user
        self.tokens = [new_token() for _ in range(devices)]
        for token in self.tokens:
            response = client.post(
                "/devices", json={"token": token, "platform": "android"}, headers=user.headers
            )
            assert response.status_code == 201, response.text
        self.batch = create_batch(client, user, name="Kitchen kefir", kind=kind)
        due = due or (datetime.now(UTC) + timedelta(hours=3)).replace(microsecond=0)
        response = client.post(
            f"/batches/{self.batch['id']}/reminders/confirm",
            json={"text": "Strain the grains", "action": "strain", "dueAt": due.isoformat()},
            headers=user.headers,
        )
        assert response.status_code == 201, response.text
        self.reminder: dict[str, Any] = response.json()
        self.due = due
        self.event = {
            "userId": user.sub,
            "batchId": self.batch["id"],
            "reminderId": self.reminder["id"],
        }

    @property
    def url(self) -> str:
        return f"/batches/{self.batch['id']}/reminders/{self.reminder['id']}"

    def get(self, client: Client) -> dict[str, Any]:
        found: dict[str, Any] = client.get(self.url, headers=self.user.headers).json()
        return found

    def status(self, client: Client) -> str:
        return str(self.get(client)["status"])


@pytest.fixture
def fresh(client: Client, emulator: Emulator, stack: StackOutputs) -> Callable[..., Setup]:
    def make(devices: int = 2, **kwargs: Any) -> Setup:
        return Setup(client, new_user(stack, emulator, "pushed"), devices, **kwargs)

    return make


def delivery(settings: Settings, dynamodb: Any, push: PushSender) -> Delivery:
    return Delivery(
        ReminderStore(dynamodb, settings.table_name),
        DeviceStore(dynamodb, settings.table_name),
        push,
    )


def expo_client(expo: ExpoServer, **kwargs: Any) -> ExpoPushClient:
    return ExpoPushClient(expo.url, backoff_seconds=0.01, **kwargs)


def test_sends_one_push_per_device_in_expos_format(
    client: Client, settings: Settings, dynamodb: Any, expo: ExpoServer, fresh: Any
) -> None:
    setup = fresh(devices=2)
    outcome = delivery(settings, dynamodb, expo_client(expo)).deliver(setup.event, now=setup.due)
    assert (outcome.outcome, outcome.devices, outcome.accepted) == ("sent", 2, 2)
    for token in setup.tokens:
        [message] = expo.messages_to(token)
        assert message == {
            "to": token,
            "title": "Kitchen kefir",
            "body": "Strain the grains",
            "data": {
                "batchId": setup.batch["id"],
                "reminderId": setup.reminder["id"],
                "action": "strain",
            },
            "sound": "default",
            "priority": "high",
        }
    [request] = expo.requests_with(setup.tokens[0])
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    assert "authorization" not in request.headers
    assert len(request.messages) == 2  # both devices in one request
    assert setup.status(client) == "sent"


def test_a_second_invocation_sends_nothing(
    settings: Settings, dynamodb: Any, expo: ExpoServer, fresh: Any
) -> None:
    setup = fresh(devices=1)
    deliver = delivery(settings, dynamodb, expo_client(expo)).deliver
    assert deliver(setup.event, now=setup.due).outcome == "sent"
    again = deliver(setup.event, now=setup.due + timedelta(seconds=5))
    assert (again.outcome, again.reason) == ("skipped", "already-sent")
    assert len(expo.requests_with(setup.tokens[0])) == 1


def test_a_finished_batch_gets_no_push(
    client: Client, settings: Settings, dynamodb: Any, expo: ExpoServer, fresh: Any
) -> None:
    setup = fresh(devices=1)
    response = client.patch(
        f"/batches/{setup.batch['id']}",
        json={"version": 1, "status": "finished"},
        headers=setup.user.headers,
    )
    assert response.status_code == 200, response.text
    with capture_logs() as logs:
        outcome = delivery(settings, dynamodb, expo_client(expo)).deliver(
            setup.event, now=setup.due
        )
    assert (outcome.outcome, outcome.reason) == ("skipped", "batch-finished")
    assert expo.requests_with(setup.tokens[0]) == []
    assert {"event": "reminder_skipped", "reason": "batch-finished"}.items() <= logs[-1].items()


def test_a_user_who_switched_reminders_off_gets_no_push(
    client: Client, settings: Settings, dynamodb: Any, expo: ExpoServer, fresh: Any
) -> None:
    setup = fresh(devices=1)
    response = client.patch(
        "/me", json={"notifications": {"reminders": False}}, headers=setup.user.headers
    )
    assert response.status_code == 200, response.text
    outcome = delivery(settings, dynamodb, expo_client(expo)).deliver(setup.event, now=setup.due)
    assert (outcome.outcome, outcome.reason) == ("failed", "notifications-off")
    assert expo.requests_with(setup.tokens[0]) == []
    # Visible in the app, with the reason, rather than `scheduled` forever.
    shown = setup.get(client)
    assert (shown["status"], shown["failureReason"]) == ("failed", "notifications-off")


@pytest.mark.parametrize("gone", ["batch", "reminder"])
def test_a_deleted_batch_or_cancelled_reminder_gets_no_push(
    client: Client, settings: Settings, dynamodb: Any, expo: ExpoServer, fresh: Any, gone: str
) -> None:
    setup = fresh(devices=1)
    url = f"/batches/{setup.batch['id']}"
    if gone == "reminder":
        url += f"/reminders/{setup.reminder['id']}"
    assert client.delete(url, headers=setup.user.headers).status_code == 204
    outcome = delivery(settings, dynamodb, expo_client(expo)).deliver(setup.event, now=setup.due)
    expected = "batch-gone" if gone == "batch" else "reminder-cancelled"
    assert (outcome.outcome, outcome.reason) == ("skipped", expected)
    assert expo.requests_with(setup.tokens[0]) == []


def test_a_schedule_firing_long_before_the_reminder_is_due_is_ignored(
    settings: Settings, dynamodb: Any, expo: ExpoServer, fresh: Any
) -> None:
    setup = fresh(devices=1)
    outcome = delivery(settings, dynamodb, expo_client(expo)).deliver(
        setup.event, now=setup.due - timedelta(hours=1)
    )
    assert (outcome.outcome, outcome.reason) == ("skipped", "not-due-yet")


def test_a_device_whose_ticket_says_device_not_registered_is_removed(
    client: Client, settings: Settings, dynamodb: Any, expo: ExpoServer, fresh: Any
) -> None:
    setup = fresh(devices=2)
    stale, live = setup.tokens
    expo.unregistered.add(stale)
    outcome = delivery(settings, dynamodb, expo_client(expo)).deliver(setup.event, now=setup.due)
    assert (outcome.accepted, outcome.removed) == (1, 1)
    devices = client.get("/devices", headers=setup.user.headers).json()
    assert [d["token"] for d in devices] == [live]


def test_429_then_200_is_retried_and_delivered_once(
    settings: Settings, dynamodb: Any, expo: ExpoServer, fresh: Any
) -> None:
    setup = fresh(devices=1)
    [token] = setup.tokens
    expo.fail_first(token, 429)
    outcome = delivery(settings, dynamodb, expo_client(expo)).deliver(setup.event, now=setup.due)
    assert (outcome.outcome, outcome.accepted) == ("sent", 1)
    assert [r.status for r in expo.requests_with(token)] == [429, 200]
    assert len(expo.messages_to(token)) == 1


def test_5xx_until_the_retries_run_out_gives_the_reminder_back_for_a_later_retry(
    client: Client, settings: Settings, dynamodb: Any, expo: ExpoServer, fresh: Any
) -> None:
    setup = fresh(devices=1)
    [token] = setup.tokens
    expo.fail_first(token, 503, 502, 500)
    deliver = delivery(settings, dynamodb, expo_client(expo, attempts=3)).deliver
    with pytest.raises(DeliveryFailed):
        deliver(setup.event, now=setup.due)
    assert setup.status(client) == "scheduled"
    assert expo.messages_to(token) == []
    # Scheduler's (or Lambda's) retry then delivers, once.
    assert deliver(setup.event, now=setup.due).outcome == "sent"
    assert len(expo.messages_to(token)) == 1
    assert setup.status(client) == "sent"


def test_expo_failing_every_time_marks_the_reminder_failed_and_a_move_retries_it(
    client: Client, settings: Settings, dynamodb: Any, expo: ExpoServer, fresh: Any
) -> None:
    """Issue 10, item 6: Lambda runs the event three times, Expo answers 5xx to every
    request; the third run marks the reminder failed instead of leaving it scheduled."""
    setup = fresh(devices=1)
    [token] = setup.tokens
    expo.fail_first(token, *[503] * (2 * MAX_DELIVERY_ATTEMPTS))
    deliver = delivery(settings, dynamodb, expo_client(expo, attempts=2)).deliver
    for _ in range(MAX_DELIVERY_ATTEMPTS - 1):
        with pytest.raises(DeliveryFailed):
            deliver(setup.event, now=setup.due)
        assert setup.status(client) == "scheduled"
    outcome = deliver(setup.event, now=setup.due)
    assert (outcome.outcome, outcome.reason) == ("failed", "push-failed")
    failed = setup.get(client)
    assert (failed["status"], failed["failureReason"]) == ("failed", "push-failed")
    assert len(expo.requests_with(token)) == 2 * MAX_DELIVERY_ATTEMPTS
    assert expo.messages_to(token) == []

    retried = client.patch(
        setup.url,
        json={"version": failed["version"], "snoozeMinutes": 10},
        headers=setup.user.headers,
    )
    assert retried.status_code == 200, retried.text
    assert (retried.json()["status"], retried.json()["failureReason"]) == ("scheduled", None)
    due = datetime.fromisoformat(retried.json()["dueAt"])
    assert deliver(setup.event, now=due).outcome == "sent"
    assert len(expo.messages_to(token)) == 1


def test_a_reminder_for_a_user_without_devices_fails_visibly(
    client: Client, settings: Settings, dynamodb: Any, expo: ExpoServer, fresh: Any
) -> None:
    setup = fresh(devices=0)
    outcome = delivery(settings, dynamodb, expo_client(expo)).deliver(setup.event, now=setup.due)
    assert (outcome.outcome, outcome.reason) == ("failed", "no-devices")
    assert setup.get(client)["failureReason"] == "no-devices"


def test_a_message_rate_exceeded_ticket_is_sent_again_after_a_pause(
    client: Client, settings: Settings, dynamodb: Any, expo: ExpoServer, fresh: Any
) -> None:
    """Issue 10, item 16: Expo throttles one device; only its message goes again."""
    setup = fresh(devices=2)
    throttled, other = setup.tokens
    expo.rate_limit_first(throttled, 2)
    pauses: list[float] = []
    push = expo_client(expo, attempts=4, sleep=pauses.append)
    outcome = delivery(settings, dynamodb, push).deliver(setup.event, now=setup.due)
    assert (outcome.outcome, outcome.accepted) == ("sent", 2)
    assert [len(r.messages) for r in expo.requests_with(throttled)] == [2, 1, 1]
    assert len(pauses) == 2
    assert all(pause > 0 for pause in pauses)
    assert len(expo.messages_to(throttled)) == len(expo.messages_to(other)) == 1


def test_a_reminder_firing_in_quiet_hours_is_scheduled_again_for_their_end(
    app: Litestar,
    client: Client,
    settings: Settings,
    dynamodb: Any,
    emulator: Emulator,
    stack: StackOutputs,
    expo: ExpoServer,
    fresh: Any,
) -> None:
    """Issue 10, item 7. Quiet 22:00-07:00 in Berlin; due at 23:30 the night the clocks go
    forward (2027-03-28): pushed at 07:00 CEST, 05:00 UTC (06:00 UTC would be the
    answer that forgot DST)."""
    due = datetime(2027, 3, 27, 22, 30, tzinfo=UTC)  # 23:30 CET
    setup = fresh(devices=1, due=due)
    response = client.patch(
        "/me",
        json={
            "timeZone": "Europe/Berlin",
            "notifications": {"quietStart": "22:00", "quietEnd": "07:00"},
        },
        headers=setup.user.headers,
    )
    assert response.status_code == 200, response.text
    deliver = Delivery(
        ReminderStore(dynamodb, settings.table_name),
        DeviceStore(dynamodb, settings.table_name),
        expo_client(expo),
        app.state.reminders.scheduler,
    ).deliver

    outcome = deliver(setup.event, now=due)

    assert (outcome.outcome, outcome.reason) == ("deferred", "quiet-hours")
    scheduler = boto3.client("scheduler", endpoint_url=emulator.endpoint, region_name=stack.region)
    found = scheduler.get_schedule(
        Name=f"reminder-{setup.reminder['id']}", GroupName=stack.reminders_schedule_group
    )
    assert found["ScheduleExpression"] == "at(2027-03-28T05:00:00)"
    assert setup.status(client) == "scheduled"
    assert expo.requests_with(setup.tokens[0]) == []
    assert deliver(setup.event, now=datetime(2027, 3, 28, 5, tzinfo=UTC)).outcome == "sent"
    assert len(expo.messages_to(setup.tokens[0])) == 1


def test_messages_go_in_chunks_of_at_most_100(
    settings: Settings, dynamodb: Any, expo: ExpoServer, fresh: Any
) -> None:
    setup = fresh(devices=0)
    # More devices than an account may register through the API: stored directly.
    store = DeviceStore(dynamodb, settings.table_name)
    setup.tokens = [new_token() for _ in range(CHUNK_SIZE + 30)]
    for token in setup.tokens:
        now = datetime.now(UTC)
        store.register(
            setup.user.sub,
            Device(token=token, platform="ios", created_at=now, updated_at=now),
            now=now,
        )
    outcome = delivery(settings, dynamodb, expo_client(expo)).deliver(setup.event, now=setup.due)
    assert (outcome.devices, outcome.accepted) == (130, 130)
    requests = {id(r): r for t in setup.tokens for r in expo.requests_with(t)}.values()
    assert sorted(len(r.messages) for r in requests) == [30, 100]
    assert all(len(expo.messages_to(t)) == 1 for t in setup.tokens)


def test_the_access_token_is_sent_when_set(
    settings: Settings, dynamodb: Any, expo: ExpoServer, fresh: Any
) -> None:
    setup = fresh(devices=1)
    push = expo_client(expo, access_token="expo-secret")
    delivery(settings, dynamodb, push).deliver(setup.event, now=setup.due)
    [request] = expo.requests_with(setup.tokens[0])
    assert request.headers["authorization"] == "Bearer expo-secret"


def test_log_only_mode_sends_nothing_and_logs_the_push(
    settings: Settings, dynamodb: Any, expo: ExpoServer, fresh: Any
) -> None:
    setup = fresh(devices=1)
    with capture_logs() as logs:
        outcome = delivery(settings, dynamodb, LogPushSender()).deliver(setup.event, now=setup.due)
    assert outcome.outcome == "sent"
    assert expo.requests_with(setup.tokens[0]) == []
    device = token_hash(setup.tokens[0])  # the device's id: no raw token in a log line
    assert any(e["event"] == "push_logged" and e["device"] == device for e in logs), logs
    assert setup.tokens[0] not in repr(logs)


def test_a_malformed_event_is_skipped(settings: Settings, dynamodb: Any, expo: ExpoServer) -> None:
    outcome = delivery(settings, dynamodb, expo_client(expo)).deliver({"userId": 3})
    assert (outcome.outcome, outcome.reason) == ("skipped", "invalid-event")


def test_the_lambda_handler_builds_itself_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
    client: Client,
    settings: Settings,
    stack: StackOutputs,
    expo: ExpoServer,
    emulator: Emulator,
) -> None:
    """`handler(event, context)` as Lambda calls it: settings from the environment."""
    user = new_user(stack, emulator, "lambda")
    token = new_token()
    client.post("/devices", json={"token": token, "platform": "ios"}, headers=user.headers)
    batch = create_batch(client, user)
    due = (datetime.now(UTC) + timedelta(seconds=45)).replace(microsecond=0)
    reminder = client.post(
        f"/batches/{batch['id']}/reminders/confirm",
        json={"text": "Strain now", "dueAt": due.isoformat()},
        headers=user.headers,
    ).json()
    function_environment(monkeypatch, settings, emulator.endpoint)
    entrypoint._jobs.cache_clear()
    try:
        event = {"userId": user.sub, "batchId": batch["id"], "reminderId": reminder["id"]}
        with capture_logs(processors=[merge_contextvars]) as logs:
            assert entrypoint.handler(event, LambdaContext("req-1")) == {
                "outcome": "sent",
                "reason": None,
                "devices": 1,
                "accepted": 1,
                "removed": 0,
            }
            assert entrypoint.handler(event, LambdaContext("req-2"))["reason"] == "already-sent"
    finally:
        get_settings.cache_clear()
        entrypoint._jobs.cache_clear()
    assert len(expo.messages_to(token)) == 1
    # Every line carries the invocation's request id, and only its own.
    assert [line["aws_request_id"] for line in logs if line["event"].startswith("reminder_")] == [
        "req-1",
        "req-2",
    ]
    assert all("aws_request_id" in line for line in logs), logs


class LambdaContext:
    """The one attribute of Lambda's context object the handler reads."""

    def __init__(self, aws_request_id: str) -> None:
        self.aws_request_id = aws_request_id


def test_a_delivery_reads_batch_and_reminder_in_one_call(
    settings: Settings, emulator: Emulator, expo: ExpoServer, fresh: Any
) -> None:
    """One consistent read of both items, one conditional claim, one devices query."""
    setup = fresh(devices=2)
    dynamodb = boto3.client(
        "dynamodb", endpoint_url=emulator.endpoint, region_name=settings.aws_region
    )
    calls: list[str] = []
    dynamodb.meta.events.register(
        "before-call.dynamodb", lambda event_name, **_: calls.append(event_name.split(".")[-1])
    )
    outcome = delivery(settings, dynamodb, expo_client(expo)).deliver(setup.event, now=setup.due)
    assert outcome.accepted == 2
    assert calls == ["TransactGetItems", "TransactWriteItems", "Query"]


def test_a_sent_reminder_keeps_its_state_on_a_text_edit_and_snoozes_into_a_new_schedule(
    client: Client,
    settings: Settings,
    dynamodb: Any,
    emulator: Emulator,
    stack: StackOutputs,
    expo: ExpoServer,
    fresh: Any,
) -> None:
    setup = fresh(devices=1)
    delivery(settings, dynamodb, expo_client(expo)).deliver(setup.event, now=setup.due)
    scheduler = boto3.client("scheduler", endpoint_url=emulator.endpoint, region_name=stack.region)
    name = f"reminder-{setup.reminder['id']}"
    # What the real schedule does after firing (ActionAfterCompletion=DELETE).
    scheduler.delete_schedule(Name=name, GroupName=stack.reminders_schedule_group)
    url = f"/batches/{setup.batch['id']}/reminders/{setup.reminder['id']}"
    sent = client.get(url, headers=setup.user.headers).json()

    edited = client.patch(
        url,
        json={"version": sent["version"], "text": "Strain, then taste"},
        headers=setup.user.headers,
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["status"], edited.json()["text"]) == ("sent", "Strain, then taste")

    snoozed = client.patch(
        url,
        json={"version": edited.json()["version"], "snoozeMinutes": 20},
        headers=setup.user.headers,
    )
    assert snoozed.status_code == 200, snoozed.text
    assert snoozed.json()["status"] == "scheduled"
    assert snoozed.json()["sentAt"] is None
    found = scheduler.get_schedule(Name=name, GroupName=stack.reminders_schedule_group)
    due = datetime.fromisoformat(snoozed.json()["dueAt"])
    assert found["ScheduleExpression"] == f"at({due.strftime('%Y-%m-%dT%H:%M:%S')})"
    # Delivered again when the snooze is over: one more push.
    outcome = delivery(settings, dynamodb, expo_client(expo)).deliver(setup.event, now=due)
    assert outcome.outcome == "sent"
    assert [m["body"] for m in expo.messages_to(setup.tokens[0])] == [
        "Strain the grains",
        "Strain, then taste",
    ]
