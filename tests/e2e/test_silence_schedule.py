"""Silence fires "sensor offline" offline: no request reaches us, the rate schedule
Terraform applied invokes the deployed alerts function, which logs the alert and
pushes it to the loopback Expo server. The emulator fires rate schedules (ministack's
scheduler sweeps every 10 s; rate(1 minute) in the local environment)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx
import pytest

from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from tests.conftest import new_user
from tests.expo_server import ExpoServer, new_token
from tests.helpers import wait_until
from tests.stream import Filer

pytestmark = pytest.mark.e2e

# One rate period, one sweep of the emulator's scheduler and a cold function start.
FIRING_BUDGET = 100.0


@pytest.fixture
def silence_schedule(emulator: Emulator, stack: StackOutputs) -> Iterator[None]:
    """The schedule, enabled for this test only (tests/conftest.py applies it off)."""
    scheduler: Any = boto3.client(
        "scheduler", endpoint_url=emulator.endpoint, region_name=stack.region
    )
    name = stack.silence_check_schedule_name
    assert name is not None
    applied: dict[str, Any] = scheduler.get_schedule(Name=name, GroupName="default")
    # Description too: UpdateSchedule replaces the whole schedule, and the suite's later
    # plan of the applied stack must find it as Terraform left it.
    fields = (
        "Description",
        "ScheduleExpression",
        "ScheduleExpressionTimezone",
        "FlexibleTimeWindow",
        "Target",
    )
    scheduler.update_schedule(
        Name=name,
        GroupName="default",
        State="ENABLED",
        **{f: applied[f] for f in fields if f in applied},
    )
    try:
        yield
    finally:
        scheduler.update_schedule(
            Name=name,
            GroupName="default",
            State="DISABLED",
            **{f: applied[f] for f in fields if f in applied},
        )


def test_a_silent_sensor_fires_offline_through_the_rate_schedule(
    gateway: httpx.Client,
    emulator: Emulator,
    stack: StackOutputs,
    expo: ExpoServer,
    silence_schedule: None,
    file_readings: Filer,
) -> None:
    user = new_user(stack, emulator, "silent")
    phone = new_token()
    gateway.post("/devices", json={"token": phone, "platform": "ios"}, headers=user.headers)
    started = datetime.now(UTC) - timedelta(hours=3)
    batch = gateway.post(
        "/batches",
        json={"name": "Quiet jar", "kind": "milk_kefir", "startedAt": started.isoformat()},
        headers=user.headers,
    ).json()
    sensor = gateway.post(
        f"/batches/{batch['id']}/sensors", json={"name": "probe"}, headers=user.headers
    ).json()
    # Its last reading two hours ago, reporting every minute: three intervals are long
    # past, and nothing but the schedule will notice.
    last = datetime.now(UTC) - timedelta(hours=2)
    posted = gateway.post(
        f"/ingest/{sensor['token']}",
        json={"temperatureC": 21.0, "interval": 60, "at": last.isoformat()},
    )
    assert posted.status_code == 200, posted.text
    file_readings()

    def offline_events() -> list[dict[str, Any]]:
        events = gateway.get(
            f"/batches/{batch['id']}/events", params={"limit": 100}, headers=user.headers
        ).json()["items"]
        return [e for e in events if e["type"] == "alert"]

    assert wait_until(lambda: bool(expo.messages_to(phone)), FIRING_BUDGET), "no offline push"
    [message] = expo.messages_to(phone)
    assert message["title"] == "Sensor offline"
    assert message["data"] == {"batchId": batch["id"], "alert": "sensor_offline"}
    [event] = offline_events()
    assert event["note"].startswith("Sensor offline")
    logs = boto3.client("logs", endpoint_url=emulator.endpoint, region_name=stack.region)
    group = f"/aws/lambda/{stack.function_names['alerts']}"
    assert wait_until(
        lambda: bool(logs.filter_log_events(logGroupName=group)["events"]), FIRING_BUDGET
    ), "the alerts function never ran"
