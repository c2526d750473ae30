"""Lambda entry point for the alerts function: the consumer of the table's stream (the
readings ingest accepted, carried by the token items: `app.usecases.posted`) and the
periodic silence check (an EventBridge Scheduler rate schedule, `terraform/modules/
scheduling`), told apart by the event. The push code is loaded only when an alert fired.

A stream batch answers with the first record it could not file (ReportBatchItemFailures):
the records before it are done, and the stream hands that one and the rest over again,
in order; filing is idempotent, so a retry never logs or pushes an alert twice.
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
    return SilenceCheck(posted.readings, posted.push)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if "Records" in event:
        return file_records(_posted(), event["Records"])
    return {"offline": _check().run()}


def file_records(posted: PostedReadings, records: list[dict[str, Any]]) -> dict[str, Any]:
    """File each record's reading in order; stop at the first that fails."""
    filed = 0
    for record in records:
        image = record.get("dynamodb", {}).get("NewImage")
        one = posted_from_image(image) if image else None
        if one is None:
            continue
        try:
            posted.file(one)
        except Exception as exc:
            sequence = record["dynamodb"]["SequenceNumber"]
            log.error("reading_not_filed", exc_info=exc, sequence=sequence)
            return {"batchItemFailures": [{"itemIdentifier": sequence}], "filed": filed}
        filed += 1
    return {"batchItemFailures": [], "filed": filed}
