"""Lambda entry point for EventBridge Scheduler: deliver one reminder as a push, run
the next step of an account deletion (`{"accountDeletion": {...}}`), check the
receipts of pushes sent 15 minutes ago (`{"kind": "push-receipts"}`), or push alerts
deferred past the owner's quiet hours (`{"kind": "deferred-alerts"}`).

Clients are built on the first invocation (once per cold start) from the settings;
what a delivery does is `app.usecases.delivery`, what a deletion step does is
`app.usecases.account`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import msgspec
import structlog

from app.config import get_settings
from app.domain.clock import utc_now
from app.logs import configure_logging
from app.services.clients import AwsClients, photo_objects, reminder_scheduler, user_directory
from app.services.push import push_sender
from app.services.push_receipts import (
    DeferredAlerts,
    ExpoReceipts,
    ReceiptCheck,
    ReceiptScheduler,
    receipts_url,
)
from app.services.scheduler import ContinueAccountDeletion
from app.store.deletions import DeletionStore
from app.store.devices import DeviceStore
from app.store.lineage import LineageStore
from app.store.partition import UserPartition
from app.store.profiles import ProfileStore
from app.store.readings import ReadingStore
from app.store.reminders import ReminderStore
from app.store.sensors import SensorStore
from app.usecases.account import Account
from app.usecases.alerts import AlertPush, alert_push
from app.usecases.delivery import Delivery
from app.usecases.receipts import PushReceipts
from app.usecases.sensors import Forget


class _Jobs(msgspec.Struct, frozen=True):
    delivery: Delivery
    account: Account


@lru_cache(maxsize=1)
def _jobs() -> _Jobs:
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    clients = AwsClients(settings.aws_region)
    dynamodb, table = clients.dynamodb, settings.table_name
    devices = DeviceStore(dynamodb, table)
    scheduler = reminder_scheduler(settings, clients)
    return _Jobs(
        delivery=Delivery(
            ReminderStore(dynamodb, table),
            devices,
            push_sender(settings.expo_push_url, settings.expo_access_token),
            scheduler,
            ReceiptScheduler.from_settings(settings, lambda: clients.scheduler),
        ),
        account=Account(
            ProfileStore(dynamodb, table),
            DeletionStore(dynamodb, table),
            UserPartition(dynamodb, table),
            devices,
            scheduler,
            photo_objects(settings, clients),
            user_directory(settings, clients),
            LineageStore(dynamodb, table),
            forget=Forget(SensorStore(dynamodb, table), ReadingStore(dynamodb, table)),
        ),
    )


@lru_cache(maxsize=1)
def _receipts() -> PushReceipts:
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    clients = AwsClients(settings.aws_region)
    return PushReceipts(
        DeviceStore(clients.dynamodb, settings.table_name),
        ExpoReceipts(receipts_url(settings.expo_push_url), access_token=settings.expo_access_token),
        push_sender(settings.expo_push_url, settings.expo_access_token),
        ReceiptScheduler.from_settings(settings, lambda: clients.scheduler),
    )


@lru_cache(maxsize=1)
def _alerts() -> AlertPush:
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return alert_push(settings, AwsClients(settings.aws_region), forget_devices=True)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Every line logged during the invocation carries Lambda's request id, so a log
    search for one failed invocation (or its retries) finds all of it."""
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(aws_request_id=getattr(context, "aws_request_id", None))
    try:
        if isinstance(event, dict) and event.get("kind") == "push-receipts":
            outcome = _receipts().check(msgspec.convert(event, ReceiptCheck))
            return msgspec.to_builtins(outcome)  # type: ignore[no-any-return]
        if isinstance(event, dict) and event.get("kind") == "deferred-alerts":
            deferred = msgspec.convert(event, DeferredAlerts)
            pushed = _alerts().send(deferred.sub, deferred.batch_id, deferred.alerts)
            return {"pushed": len(pushed.tickets), "deferred": pushed.deferred}
        jobs = _jobs()
        if isinstance(event, dict) and "accountDeletion" in event:
            step = msgspec.convert(event, ContinueAccountDeletion)
            progress = jobs.account.continue_deletion(step.account_deletion, utc_now())
            return msgspec.to_builtins(progress)  # type: ignore[no-any-return]
        return msgspec.to_builtins(jobs.delivery.deliver(event))  # type: ignore[no-any-return]
    finally:
        structlog.contextvars.clear_contextvars()
