"""Lambda entry point for the periodic silence check (an EventBridge Scheduler rate
schedule, `terraform/modules/scheduling`): fires "sensor offline" for sensors past
their deadline. One GSI Query finds them, however many batches there are; the push
code is loaded only when one fired (most runs find nothing)."""

from __future__ import annotations

from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from app.config import get_settings
from app.logs import configure_logging
from app.services.clients import AwsClients
from app.store.readings import ReadingStore
from app.usecases.silence import SilenceCheck

if TYPE_CHECKING:
    from app.usecases.alerts import AlertPush


@lru_cache(maxsize=1)
def _check() -> SilenceCheck:
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    clients = AwsClients(settings.aws_region)

    @cache
    def push() -> AlertPush:
        from app.usecases.alerts import alert_push

        # Like ingest, its role writes readings and alerts only: devices Expo says are
        # gone are removed by the receipts check (the reminders function).
        return alert_push(settings, clients, forget_devices=False)

    return SilenceCheck(ReadingStore(clients.dynamodb, settings.table_name), push)


def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return {"offline": _check().run()}
