"""End to end on the emulator: a reminder confirmed through the API Gateway about a
minute ahead is fired by the emulator's EventBridge Scheduler, runs the deployed
reminders zip Lambda, and reaches the loopback Expo server exactly once."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx
import pytest

from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from tests.conftest import new_user
from tests.expo_server import ExpoServer, new_token
from tests.helpers import schedule, wait_for_scheduler_sweep, wait_until, wait_until_moment

pytestmark = pytest.mark.e2e

LEAD = timedelta(seconds=50)
# The emulator sweeps schedules every 10 s and a cold function starts in a few seconds.
ARRIVAL_BUDGET = timedelta(seconds=30)


def test_a_confirmed_reminder_fires_through_scheduler_and_lambda_to_expo_exactly_once(
    gateway: httpx.Client,
    emulator: Emulator,
    stack: StackOutputs,
    scheduler: Any,
    expo: ExpoServer,
    record_property: Callable[[str, object], None],
) -> None:
    user = new_user(stack, emulator, "e2e")
    token = new_token()
    registered = gateway.post(
        "/devices", json={"token": token, "platform": "ios"}, headers=user.headers
    )
    assert registered.status_code == 201, registered.text
    batch = gateway.post(
        "/batches",
        json={"name": "Counter kefir", "kind": "milk_kefir", "temperatureC": 22},
        headers=user.headers,
    ).json()
    assert batch["suggestions"][0]["key"] == "strain"

    due = (datetime.now(UTC) + LEAD).replace(microsecond=0)
    confirmed = gateway.post(
        f"/batches/{batch['id']}/reminders/confirm",
        json={"text": "Strain the kefir", "action": "strain", "dueAt": due.isoformat()},
        headers=user.headers,
    )
    assert confirmed.status_code == 201, confirmed.text
    reminder: dict[str, Any] = confirmed.json()
    assert reminder["status"] == "scheduled"

    created = schedule(scheduler, stack, reminder["id"])
    assert created is not None
    assert json.loads(created["Target"]["Input"])["reminderId"] == reminder["id"]
    assert created["Target"]["Arn"].endswith(f":function:{stack.reminders_function_name}")

    # Nothing before it is due.
    assert not wait_until_moment(lambda: bool(expo.messages_to(token)), due - timedelta(seconds=2))
    arrived = wait_until_moment(lambda: bool(expo.messages_to(token)), due + ARRIVAL_BUDGET)
    assert arrived, f"no push within {ARRIVAL_BUDGET} of {due}"
    delay = (datetime.now(UTC) - due).total_seconds()
    record_property("firing_delay_seconds", round(delay, 1))
    print(f"\nreminder due {due:%H:%M:%S}, push arrived {delay:.1f} s later")

    [message] = expo.messages_to(token)
    assert message["title"] == "Counter kefir"
    assert message["body"] == "Strain the kefir"
    assert message["data"]["reminderId"] == reminder["id"]

    assert wait_until(lambda: schedule(scheduler, stack, reminder["id"]) is None, timeout=5)
    # One more sweep of the emulator's scheduler: still exactly one push.
    wait_for_scheduler_sweep(emulator.endpoint, stack)
    assert len(expo.requests_with(token)) == 1
    after = gateway.get(
        f"/batches/{batch['id']}/reminders/{reminder['id']}", headers=user.headers
    ).json()
    assert after["status"] == "sent"

    logs = boto3.client("logs", endpoint_url=emulator.endpoint, region_name=stack.region)
    events = logs.filter_log_events(
        logGroupName=f"/aws/lambda/{stack.reminders_function_name}",
        filterPattern=reminder["id"],
    )["events"]
    assert any("reminder_sent" in e["message"] for e in events), events
