"""Lambda entry point for the alerts function: the consumer of the table's stream (the
readings ingest accepted, carried by the token items: `app.usecases.posted`) and the
periodic silence check (an EventBridge Scheduler rate schedule, `terraform/modules/
scheduling`), told apart by the event. The push code is loaded only when an alert fired.

A stream batch that cannot be filed whole fails whole, and comes again: filing is
idempotent, so a retry never files, logs or pushes anything twice. (Reporting only the
failed record, ReportBatchItemFailures, would save the retry some work; the emulator
ignores it for streams, and whole-batch retries are right in both.)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from app.config import get_settings
from app.logs import configure_logging, get_logger
from app.services.clients import AwsClients
from app.store.items import posted_from_image
from app.usecases.posted import PostedReadings, posted_readings
from app.usecases.silence import SilenceCheck

log = get_logger("app.alerts")


@lru_cache(maxsize=1)
def _posted() -> PostedReadings:
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return posted_readings(settings, AwsClients(settings.aws_region))


@lru_cache(maxsize=1)
def _check() -> SilenceCheck:
    posted = _posted()
    return SilenceCheck(posted.readings, posted.sensors, posted.push)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if "Records" in event:
        return file_records(_posted(), event["Records"])
    return {"offline": _check().run()}


def file_records(posted: PostedReadings, records: list[dict[str, Any]]) -> dict[str, Any]:
    """File each record's reading in order. The first that cannot be filed raises, and
    the whole batch comes again (Lambda retries it, halving it on each failure, then
    sends what is left to the failure queue): the records filed before it are skipped
    the second time."""
    filed = 0
    for record in records:
        change = record.get("dynamodb", {})
        try:
            one = posted_from_image(change.get("NewImage") or {})
            if one is not None:
                posted.file(one)
        except Exception:
            log.error("reading_not_filed", sequence=change.get("SequenceNumber", ""), filed=filed)
            raise
        filed += one is not None
    return {"filed": filed}
