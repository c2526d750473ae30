"""Lambda entry point for EventBridge Scheduler: deliver one reminder as a push.

Clients are built on the first invocation (once per cold start) from the settings;
what a delivery does is `app.usecases.delivery`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3
import msgspec

from app.config import get_settings
from app.logs import configure_logging
from app.services.clients import BOTO_CONFIG
from app.services.push import push_sender
from app.store.devices import DeviceStore
from app.store.reminders import ReminderStore
from app.usecases.delivery import Delivery


@lru_cache(maxsize=1)
def _delivery() -> Delivery:
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    dynamodb = boto3.client("dynamodb", region_name=settings.aws_region, config=BOTO_CONFIG)
    return Delivery(
        ReminderStore(dynamodb, settings.table_name),
        DeviceStore(dynamodb, settings.table_name),
        push_sender(settings.expo_push_url, settings.expo_access_token),
    )


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return msgspec.to_builtins(_delivery().deliver(event))  # type: ignore[no-any-return]
