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
from app.services.push import PushMessage, push_sender
from app.services.push_receipts import ReceiptScheduler, SentTicket
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
