"""The receipts schedule fires into the deployed reminders function, which asks the
(loopback) Expo server for the receipts and removes the token Expo says is gone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.domain.alerts import Alert
from app.services.push import PushMessage, push_sender
from app.services.push_receipts import DeferredAlerts, ReceiptScheduler, SentTicket
from tests.api.test_push_receipts import devices_of, phone_user
from tests.expo_server import ExpoServer
from tests.helpers import SWEEP_TIMEOUT, wait_until

pytestmark = pytest.mark.e2e
Client = TestClient[Litestar]


def test_the_fired_schedule_removes_a_token_expo_says_is_gone(
    client: Client, stack: StackOutputs, emulator: Emulator, expo: ExpoServer
) -> None:
    user, phone = phone_user(client, stack, emulator)
    kept_user, kept_phone = phone_user(client, stack, emulator)
    sender = push_sender(expo.url)
    messages = [
        PushMessage(to=phone, title="t", body="b"),
        PushMessage(to=kept_phone, title="t", body="b"),
    ]
    tickets = sender.send(messages)
    expo.receipt_error(phone, "DeviceNotRegistered")
    scheduler = ReceiptScheduler(
        lambda: boto3.client("scheduler", endpoint_url=emulator.endpoint, region_name=stack.region),
        group=stack.reminders_schedule_group,
        function_arn=stack.reminders_function_arn,
        role_arn=stack.scheduler_role_arn,
        dead_letter_arn=stack.reminders_dlq_arn,
        delay=timedelta(seconds=3),
    )
    sent = [
        SentTicket(id=str(tickets[0].id), sub=user.sub, message=messages[0]),
        SentTicket(id=str(tickets[1].id), sub=kept_user.sub, message=messages[1]),
    ]
    assert len(scheduler.schedule(sent, datetime.now(UTC))) == 1
    assert wait_until(lambda: devices_of(client, user) == [], SWEEP_TIMEOUT * 2), "not removed"
    assert devices_of(client, kept_user) == [kept_phone]
    assert any(sorted(ids) == sorted(t.id for t in sent) for ids in expo.receipt_requests)


def test_alerts_deferred_past_quiet_hours_are_pushed_by_the_deployed_reminders_function(
    client: Client, stack: StackOutputs, emulator: Emulator, expo: ExpoServer
) -> None:
    """The schedule an alert in quiet hours leaves (tests/api/test_readings_alerts.py),
    made due in 3 s: the reminders function pushes it once the quiet hours are over."""
    user, phone = phone_user(client, stack, emulator)
    at = datetime.now(UTC)
    alert = Alert(kind="ph_target", key="ph_target", at=at, title="pH target reached", body="b")
    scheduler = ReceiptScheduler(
        lambda: boto3.client("scheduler", endpoint_url=emulator.endpoint, region_name=stack.region),
        group=stack.reminders_schedule_group,
        function_arn=stack.reminders_function_arn,
        role_arn=stack.scheduler_role_arn,
        dead_letter_arn=stack.reminders_dlq_arn,
    )
    deferred = DeferredAlerts(sub=user.sub, batch_id="01BATCH", alerts=[alert])
    assert scheduler.defer(deferred, at + timedelta(seconds=3))
    assert wait_until(lambda: bool(expo.messages_to(phone)), SWEEP_TIMEOUT * 2), "not pushed"
    [message] = expo.messages_to(phone)
    assert message["title"] == "pH target reached"
    assert message["data"] == {"batchId": "01BATCH", "alert": "ph_target"}
