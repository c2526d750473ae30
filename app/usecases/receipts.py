"""Completing a push: the receipts Expo keeps for 24 hours say whether Apple or Google
took each message. A token whose receipt says DeviceNotRegistered is removed (the app
was uninstalled); a message refused with MessageRateExceeded is sent again after a
backoff, and its new tickets get their own receipts check.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import msgspec

from app.domain.errors import NotFound
from app.logs import get_logger
from app.services.push import DEVICE_NOT_REGISTERED, PushSender
from app.services.push_receipts import ExpoReceipts, ReceiptCheck, ReceiptScheduler, SentTicket
from app.store.devices import DeviceStore

log = get_logger(__name__)

MESSAGE_RATE_EXCEEDED = "MessageRateExceeded"
MAX_RESENDS = 3
BACKOFF_SECONDS = 2.0


class ReceiptsOutcome(msgspec.Struct, frozen=True, kw_only=True):
    checked: int
    removed: int
    resent: int
    pending: int


class PushReceipts:
    def __init__(
        self,
        devices: DeviceStore,
        receipts: ExpoReceipts,
        push: PushSender,
        scheduler: ReceiptScheduler | None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.devices = devices
        self.receipts = receipts
        self.push = push
        self.scheduler = scheduler
        self.sleep = sleep

    def check(self, payload: ReceiptCheck, now: datetime | None = None) -> ReceiptsOutcome:
        now = now or datetime.now(UTC)
        ids = [ticket.id for ticket in payload.tickets]
        found = self.receipts.fetch(ids) if ids else {}
        removed = sum(self._forget(device.sub, device.token) for device in payload.gone)
        again: list[SentTicket] = []
        for ticket in payload.tickets:
            receipt = found.get(ticket.id)
            if receipt is None or receipt.status == "ok":
                continue
            if receipt.error == DEVICE_NOT_REGISTERED:
                removed += self._forget(ticket.sub, ticket.message.to)
            elif receipt.error == MESSAGE_RATE_EXCEEDED and payload.attempt < MAX_RESENDS:
                again.append(ticket)
            else:
                log.warning("push_receipt_error", error=receipt.error, message=receipt.message)
        resent = self._send_again(again, payload.attempt, now) if again else 0
        log.info("push_receipts", checked=len(found), removed=removed, resent=resent)
        return ReceiptsOutcome(
            checked=len(found),
            removed=removed,
            resent=resent,
            pending=len(payload.tickets) - len(found),
        )

    def _send_again(self, tickets: list[SentTicket], attempt: int, now: datetime) -> int:
        self.sleep(BACKOFF_SECONDS * 2**attempt)
        sent = self.push.send([ticket.message for ticket in tickets])
        fresh = [
            SentTicket(id=new.id, sub=old.sub, message=old.message)
            for old, new in zip(tickets, sent, strict=True)
            if new.status == "ok" and new.id
        ]
        if fresh and self.scheduler is not None:
            self.scheduler.schedule(fresh, now, attempt=attempt + 1)
        return len(fresh)

    def _forget(self, sub: str, token: str) -> int:
        try:
            self.devices.unregister(sub, token)
        except NotFound:
            return 0  # already gone, or the token has moved to another account
        log.info("device_removed", reason=DEVICE_NOT_REGISTERED)
        return 1
