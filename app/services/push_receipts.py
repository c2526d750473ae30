"""Expo push receipts, and the one-time schedules that hand push work to the reminders
function later: fetching receipts, and alerts deferred past the owner's quiet hours.

A ticket only says Expo accepted a message; whether Apple or Google took it is in the
receipt, ready some minutes later and kept for 24 hours
(docs.expo.dev/push-notifications/sending-notifications/#push-receipts). So after a
push the app schedules one `at()` schedule ~15 minutes ahead (no polling loop) whose
input holds the tickets; the reminders function, which schedules already invoke, then
asks `POST /--/api/v2/push/getReceipts` for at most 1,000 ids a call. The same check
carries the devices a ticket already said are gone, for a function whose role may not
remove them itself (ingest writes readings only).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

import httpx
import msgspec
from botocore.exceptions import BotoCoreError, ClientError

from app.domain.alerts import Alert
from app.logs import get_logger
from app.services.push import PushMessage
from app.services.scheduler import at_expression

if TYPE_CHECKING:
    from mypy_boto3_scheduler import EventBridgeSchedulerClient

    from app.config import Settings

log = get_logger(__name__)

RECEIPT_IDS_PER_CALL = 1000
RECEIPTS_DELAY = timedelta(minutes=15)
# Scheduler inputs are at most 8 KB: a schedule carries this many tickets with their
# messages (needed to send again when Expo says MessageRateExceeded).
TICKETS_PER_SCHEDULE = 20
NAME_PREFIX = "receipts-"
DEFERRED_PREFIX = "alerts-"


class SentTicket(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    sub: str
    message: PushMessage


class GoneDevice(msgspec.Struct, frozen=True):
    """A device whose ticket said DeviceNotRegistered when the push was sent."""

    sub: str
    token: str


class ReceiptCheck(
    msgspec.Struct, frozen=True, rename="camel", tag="push-receipts", tag_field="kind"
):
    """The schedule's input; `kind` tells the reminders function what it got."""

    tickets: list[SentTicket]
    attempt: int = 0
    gone: list[GoneDevice] = msgspec.field(default_factory=list)


class DeferredAlerts(
    msgspec.Struct, frozen=True, rename="camel", tag="deferred-alerts", tag_field="kind"
):
    """Alerts that fired inside the owner's quiet hours, pushed when they end."""

    sub: str
    batch_id: str
    alerts: list[Alert]


class ReceiptDetails(msgspec.Struct, frozen=True):
    error: str | None = None


class Receipt(msgspec.Struct, frozen=True):
    status: Literal["ok", "error"]
    message: str | None = None
    details: ReceiptDetails | None = None

    @property
    def error(self) -> str | None:
        return None if self.details is None else self.details.error


class _ReceiptsResponse(msgspec.Struct):
    data: dict[str, Receipt] | None = None
    errors: list[dict[str, object]] | None = None


_decoder = msgspec.json.Decoder(_ReceiptsResponse)
_encoder = msgspec.json.Encoder()


def receipts_url(push_url: str) -> str:
    """`…/push/getReceipts` beside Expo's (or the loopback server's) `…/push/send`."""
    return push_url.rsplit("/", 1)[0] + "/getReceipts"


class ExpoReceipts:
    def __init__(
        self, url: str, *, access_token: str | None = None, http: httpx.Client | None = None
    ) -> None:
        self.url = url
        self.http = http or httpx.Client(timeout=httpx.Timeout(10.0, connect=3.0))
        self.headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if access_token:
            self.headers["Authorization"] = f"Bearer {access_token}"

    def fetch(self, ids: Sequence[str]) -> dict[str, Receipt]:
        """Receipts by ticket id; ids Expo no longer knows are simply absent."""
        found: dict[str, Receipt] = {}
        for start in range(0, len(ids), RECEIPT_IDS_PER_CALL):
            chunk = list(ids[start : start + RECEIPT_IDS_PER_CALL])
            response = self.http.post(
                self.url, content=_encoder.encode({"ids": chunk}), headers=self.headers
            )
            response.raise_for_status()
            decoded = _decoder.decode(response.content)
            found.update(decoded.data or {})
        return found


class ReceiptScheduler:
    """One-time schedules that hand tickets back to the reminders function later."""

    def __init__(
        self,
        client: Callable[[], EventBridgeSchedulerClient],
        *,
        group: str,
        function_arn: str,
        role_arn: str,
        dead_letter_arn: str,
        delay: timedelta = RECEIPTS_DELAY,
    ) -> None:
        self._client = client
        self.group = group
        self.function_arn = function_arn
        self.role_arn = role_arn
        self.dead_letter_arn = dead_letter_arn
        self.delay = delay

    @classmethod
    def from_settings(
        cls, settings: Settings, client: Callable[[], EventBridgeSchedulerClient]
    ) -> ReceiptScheduler | None:
        """Receipts ride on the reminders' schedule group and function; None when
        reminders are not configured (then receipts are not fetched)."""
        if not settings.reminders_schedule_group:
            return None
        return cls(
            client,
            group=settings.reminders_schedule_group,
            function_arn=settings.reminders_function_arn or "",
            role_arn=settings.scheduler_role_arn or "",
            dead_letter_arn=settings.reminders_dlq_arn or "",
        )

    def schedule(
        self,
        tickets: Sequence[SentTicket],
        now: datetime,
        attempt: int = 0,
        gone: Sequence[GoneDevice] = (),
    ) -> list[str]:
        """Names of the schedules made; a scheduler failure is logged, not raised: the
        push itself went out, and a missed receipt only delays a token's clean-up."""
        if not tickets and not gone:
            return []
        names = []
        chunks = list(_chunks(tickets, TICKETS_PER_SCHEDULE)) or [[]]
        for index, chunk in enumerate(chunks):
            payload = ReceiptCheck(
                tickets=list(chunk), attempt=attempt, gone=list(gone) if index == 0 else []
            )
            name = self._create(NAME_PREFIX, now + self.delay, payload, "Expo push receipts")
            if name is not None:
                names.append(name)
        return names

    def defer(self, alerts: DeferredAlerts, until: datetime) -> bool:
        """Whether the alerts will be pushed at `until` (False: the schedule failed)."""
        return self._create(DEFERRED_PREFIX, until, alerts, "Alerts after quiet hours") is not None

    def _create(
        self, prefix: str, when: datetime, payload: ReceiptCheck | DeferredAlerts, what: str
    ) -> str | None:
        name = f"{prefix}{uuid.uuid4().hex}"
        try:
            self._client().create_schedule(
                Name=name,
                GroupName=self.group,
                ScheduleExpression=at_expression(when),
                ScheduleExpressionTimezone="UTC",
                FlexibleTimeWindow={"Mode": "OFF"},
                ActionAfterCompletion="DELETE",
                State="ENABLED",
                Description=what,
                Target={
                    "Arn": self.function_arn,
                    "RoleArn": self.role_arn,
                    "Input": _encoder.encode(payload).decode(),
                    "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600},
                    "DeadLetterConfig": {"Arn": self.dead_letter_arn},
                },
            )
        except (ClientError, BotoCoreError) as exc:
            log.error("push_schedule_failed", what=what, error=str(exc))
            return None
        return name


def _chunks(tickets: Sequence[SentTicket], size: int) -> Iterator[Sequence[SentTicket]]:
    for start in range(0, len(tickets), size):
        yield tickets[start : start + size]
