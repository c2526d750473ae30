"""Push receipts: an alert's push schedules a receipts check ~15 minutes later, and the
check asks the (loopback) Expo server for at most 1,000 ids a call. The schedule firing
into the deployed function is in tests/e2e/test_push_receipts.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from litestar import Litestar
from litestar.testing import TestClient

from app.config import Settings
from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.services.push import PushMessage, push_sender
from app.services.push_receipts import (
    ExpoReceipts,
    ReceiptCheck,
    ReceiptScheduler,
    SentTicket,
    receipts_url,
)
from app.store.devices import DeviceStore
from app.store.reminders import ReminderStore
from app.usecases.delivery import Delivery
from app.usecases.receipts import PushReceipts
from tests.conftest import User, new_user
from tests.expo_server import ExpoServer, new_token
from tests.helpers import create_batch
from tests.stream import Filer

Client = TestClient[Litestar]


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def phone_user(client: Client, stack: StackOutputs, emulator: Emulator) -> tuple[User, str]:
    user = new_user(stack, emulator, "receipts")
    phone = new_token()
    response = client.post(
        "/devices", json={"token": phone, "platform": "android"}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    return user, phone


def devices_of(client: Client, user: User) -> list[str]:
    return [d["token"] for d in client.get("/devices", headers=user.headers).json()]


def receipt_schedules(scheduler: Any, stack: StackOutputs, phone: str) -> list[dict[str, Any]]:
    found = []
    listed = scheduler.list_schedules(
        GroupName=stack.reminders_schedule_group, NamePrefix="receipts-"
    )["Schedules"]
    for entry in listed:
        schedule = scheduler.get_schedule(
            Name=entry["Name"], GroupName=stack.reminders_schedule_group
        )
        if phone in schedule["Target"]["Input"]:
            found.append(schedule)
    return found


def test_an_alert_push_schedules_its_receipts_fifteen_minutes_later(
    client: Client, stack: StackOutputs, emulator: Emulator, expo: ExpoServer, scheduler: Any,
    file_readings: Filer,
) -> None:  # fmt: skip
    user, phone = phone_user(client, stack, emulator)
    batch = create_batch(client, user, kind="kombucha")
    token = client.post(
        f"/batches/{batch['id']}/sensors", json={"name": "pH"}, headers=user.headers
    ).json()["token"]
    sent_at = datetime.now(UTC)
    response = client.post(f"/ingest/{token}", json={"ph": 3.1})
    assert response.status_code == 200, response.text
    assert [alert.key for alert in file_readings()] == ["ph_target"]
    [schedule] = receipt_schedules(scheduler, stack, phone)
    at = datetime.strptime(schedule["ScheduleExpression"], "at(%Y-%m-%dT%H:%M:%S)")
    due = at.replace(tzinfo=UTC) - sent_at
    assert timedelta(minutes=14) < due <= timedelta(minutes=16)
    assert schedule["Target"]["Arn"].endswith(f":function:{stack.reminders_function_name}")
    check = json.loads(schedule["Target"]["Input"])
    assert check["kind"] == "push-receipts"
    [ticket] = check["tickets"]
    assert expo.issued[ticket["id"]] == phone
    assert ticket["sub"] == user.sub


def test_receipts_are_asked_for_1000_ids_at_most_and_rate_limited_ones_sent_again(
    client: Client, dynamodb: Any, stack: StackOutputs, emulator: Emulator, expo: ExpoServer
) -> None:
    user, phone = phone_user(client, stack, emulator)
    message = PushMessage(to=phone, title="Sensor offline", body="b")
    [first] = push_sender(expo.url).send([message])
    expo.receipt_error(phone, "MessageRateExceeded")
    pauses: list[float] = []
    receipts = PushReceipts(
        DeviceStore(dynamodb, stack.table_name),
        ExpoReceipts(receipts_url(expo.url)),
        push_sender(expo.url),
        None,
        sleep=pauses.append,
    )
    filler = [f"unknown-{i}" for i in range(1500)]
    check = ReceiptCheck(
        tickets=[SentTicket(id=str(first.id), sub=user.sub, message=message)]
        + [SentTicket(id=i, sub=user.sub, message=message) for i in filler]
    )
    before = len(expo.receipt_requests)
    outcome = receipts.check(check)
    asked = expo.receipt_requests[before:]
    assert [len(ids) for ids in asked] == [1000, 501]
    assert outcome.resent == 1
    assert outcome.removed == 0
    assert pauses == [2.0]
    assert len(expo.messages_to(phone)) == 2
    assert devices_of(client, user) == [phone]


def test_a_reminder_push_gets_its_receipts_checked_and_a_gone_phone_is_removed(
    client: Client,
    settings: Settings,
    dynamodb: Any,
    stack: StackOutputs,
    emulator: Emulator,
    expo: ExpoServer,
    scheduler: Any,
) -> None:
    """Until now only alerts had their receipts fetched: a phone that uninstalled the
    app kept getting reminders forever, since Expo says so only in the receipt."""
    user, phone = phone_user(client, stack, emulator)
    batch = create_batch(client, user)
    due = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    reminder = client.post(
        f"/batches/{batch['id']}/reminders/confirm",
        json={"text": "Strain now", "dueAt": due.isoformat()},
        headers=user.headers,
    ).json()
    receipts = ReceiptScheduler.from_settings(settings, lambda: scheduler)
    delivery = Delivery(
        ReminderStore(dynamodb, stack.table_name),
        DeviceStore(dynamodb, stack.table_name),
        push_sender(expo.url),
        None,
        receipts,
    )
    event = {"userId": user.sub, "batchId": batch["id"], "reminderId": reminder["id"]}
    assert delivery.deliver(event, now=due).outcome == "sent"
    [schedule] = receipt_schedules(scheduler, stack, phone)
    check = msgspec.json.decode(schedule["Target"]["Input"], type=ReceiptCheck)
    [ticket] = check.tickets
    assert expo.issued[ticket.id] == phone
    assert ticket.message.data["reminderId"] == reminder["id"]

    expo.receipt_error(phone, "DeviceNotRegistered")
    outcome = receipts_check(dynamodb, stack, expo).check(check)
    assert outcome.removed == 1
    assert devices_of(client, user) == []


def test_a_phone_gone_at_ingest_is_removed_by_the_receipts_check_not_by_ingest(
    client: Client,
    dynamodb: Any,
    stack: StackOutputs,
    emulator: Emulator,
    expo: ExpoServer,
    scheduler: Any,
    file_readings: Filer,
) -> None:
    """The alerts function's role writes readings only: a DeviceNotRegistered ticket
    rides to the receipts check, which removes the device."""
    user, phone = phone_user(client, stack, emulator)
    expo.unregistered.add(phone)
    batch = create_batch(client, user, kind="kombucha")
    token = client.post(
        f"/batches/{batch['id']}/sensors", json={"name": "pH"}, headers=user.headers
    ).json()["token"]
    assert client.post(f"/ingest/{token}", json={"ph": 3.1}).status_code == 200
    assert [alert.key for alert in file_readings()] == ["ph_target"]
    assert devices_of(client, user) == [phone]
    [schedule] = receipt_schedules(scheduler, stack, phone)
    check = msgspec.json.decode(schedule["Target"]["Input"], type=ReceiptCheck)
    assert check.tickets == []
    assert [(gone.sub, gone.token) for gone in check.gone] == [(user.sub, phone)]
    assert receipts_check(dynamodb, stack, expo).check(check).removed == 1
    assert devices_of(client, user) == []


def receipts_check(dynamodb: Any, stack: StackOutputs, expo: ExpoServer) -> PushReceipts:
    return PushReceipts(
        DeviceStore(dynamodb, stack.table_name),
        ExpoReceipts(receipts_url(expo.url)),
        push_sender(expo.url),
        None,
    )
