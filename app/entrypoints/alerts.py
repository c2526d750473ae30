"""Lambda entry point for the periodic silence check (an EventBridge Scheduler rate
schedule): fires "sensor offline" for sensors past their deadline. One GSI Query finds
them, however many batches there are."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from app.config import get_settings
from app.logs import configure_logging
from app.services.clients import AwsClients
from app.services.push import push_sender
from app.services.push_receipts import ReceiptScheduler
from app.store.devices import DeviceStore
from app.store.readings import ReadingStore
from app.usecases.alerts import AlertPush, SilenceCheck


@lru_cache(maxsize=1)
def _check() -> SilenceCheck:
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    clients = AwsClients(settings.aws_region)
    dynamodb = clients.dynamodb
    push = AlertPush(
        DeviceStore(dynamodb, settings.table_name),
        push_sender(settings.expo_push_url, settings.expo_access_token),
        ReceiptScheduler.from_settings(settings, lambda: clients.scheduler),
    )
    return SilenceCheck(ReadingStore(dynamodb, settings.table_name), push)


def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return {"offline": _check().run()}
