"""Deliver one reminder as a push, when its schedule fires.

Scheduler delivers at least once, so a delivery first claims the reminder with a
conditional write (scheduled -> sent) and only the invocation that wins sends; a
duplicate finds it sent and does nothing. The claim happens before the push, so a
crash in between loses a notification rather than sending it twice.

When Expo accepted nothing for a reason worth retrying (unreachable, 5xx, rate
limits), the claim is given back with the attempt counted and the invocation fails, so
Lambda's retry can try again; the last allowed attempt instead marks the reminder
`failed` with the reason. So does a delivery nothing can fix by retrying (no device,
every device refused, reminders switched off): the app shows it and the user can move
the reminder to a new time, which schedules it again. Nothing stays `scheduled` forever.

Like alerts, a reminder's pushes get their receipts checked about 15 minutes later
(`app.usecases.receipts`): a phone that uninstalled the app answers DeviceNotRegistered
only in its receipt, and its token is removed then.

Quiet hours (the profile's, in its time zone) are applied when the schedule fires, from
the profile read with the reminder: a reminder that fires inside them is scheduled
again for their end, so a change of quiet hours applies to reminders already set.
Every reminder is deferred: none is a safety alert (a spoiled-batch warning would be);
one that is should skip this check, and say so in its own docstring.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import msgspec
import structlog

from app.domain.clock import utc_now
from app.domain.cultures import OPEN_CULTURE_STATUSES
from app.domain.errors import NotFound
from app.domain.profiles import quiet_until
from app.domain.reminders import MAX_DELIVERY_ATTEMPTS, ReminderStatus, zone_or_utc
from app.logs import get_logger
from app.services.push import (
    DEVICE_NOT_REGISTERED,
    TRANSIENT_ERRORS,
    PushMessage,
    PushSender,
)
from app.services.push_receipts import ReceiptScheduler, SentTicket
from app.services.scheduler import ReminderScheduler, ReminderTarget
from app.store.devices import DeviceStore
from app.store.reminders import ReminderStore, Snapshot

if TYPE_CHECKING:
    from app.domain.reminders import Reminder

log = get_logger(__name__)

# A schedule firing well before its reminder is due is a stale one (the reminder moved
# later and the old schedule survived a race): not delivered.
EARLY_TOLERANCE = timedelta(minutes=2)


class DeliveryFailed(RuntimeError):
    """Expo accepted none of the messages; raised so the invocation is retried."""


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    outcome: str
    reason: str | None = None
    devices: int = 0
    accepted: int = 0
    removed: int = 0


class Delivery:
    def __init__(
        self,
        reminders: ReminderStore,
        devices: DeviceStore,
        push: PushSender,
        scheduler: ReminderScheduler | None = None,
        receipts: ReceiptScheduler | None = None,
    ) -> None:
        self.reminders = reminders
        self.devices = devices
        self.push = push
        # Defers reminders that fire inside quiet hours; without one they are pushed.
        self.scheduler = scheduler
        # Checks the receipts of what was sent; without one they are not checked.
        self.receipts = receipts

    def deliver(self, event: Any, now: datetime | None = None) -> Outcome:
        now = now or utc_now()
        try:
            target = msgspec.convert(event, ReminderTarget)
        except msgspec.ValidationError as exc:
            log.error("reminder_event_invalid", error=str(exc))
            return Outcome(outcome="skipped", reason="invalid-event")
        if (target.batch_id is None) == (target.culture_id is None):
            log.error("reminder_event_invalid", error="names neither or both batch and culture")
            return Outcome(outcome="skipped", reason="invalid-event")
        structlog.contextvars.bind_contextvars(
            user=target.user_id,
            batch=target.batch_id,
            culture=target.culture_id,
            reminder=target.reminder_id,
        )
        try:
            return self._deliver(target, now)
        finally:
            structlog.contextvars.unbind_contextvars("user", "batch", "culture", "reminder")

    def _deliver(self, target: ReminderTarget, now: datetime) -> Outcome:
        sub = target.user_id
        if target.culture_id is not None:
            snapshot = self.reminders.snapshot_care(sub, target.culture_id, target.reminder_id)
        else:
            snapshot = self.reminders.snapshot(sub, target.owner_id, target.reminder_id)
        reason = why_skip(snapshot, now)
        if reason == "notifications-off":  # deliberate, but the app shows it
            assert snapshot.reminder is not None
            return self._fail(sub, snapshot.reminder, reason, now, ("pending", "scheduled"))
        if reason is not None:
            log.info("reminder_skipped", reason=reason)
            return Outcome(outcome="skipped", reason=reason)
        title = snapshot.title
        assert title is not None
        assert snapshot.reminder is not None
        until = quiet_until(now, snapshot.notifications, zone_or_utc(snapshot.time_zone))
        if until is not None and self.scheduler is not None:
            # The schedule that fired is gone (it deletes itself); a new one under the
            # same name fires when the quiet hours end. The reminder stays `scheduled`.
            self.scheduler.put(target, until)
            log.info("reminder_deferred", reason="quiet-hours", until=until.isoformat())
            return Outcome(outcome="deferred", reason="quiet-hours")
        sent = self.reminders.mark_sent(sub, snapshot.reminder, now)
        if sent is None:
            log.info("reminder_skipped", reason="claimed-by-another-delivery")
            return Outcome(outcome="skipped", reason="claimed-by-another-delivery")
        devices = self.devices.list_devices(sub)
        if not devices:
            return self._fail(sub, sent, "no-devices", now, ("sent",))
        messages = [_message(device.token, title, sent) for device in devices]
        tickets = self.push.send(messages)
        accepted = sum(1 for ticket in tickets if ticket.status == "ok")
        removed = 0
        sent_tickets: list[SentTicket] = []
        for message, ticket in zip(messages, tickets, strict=True):
            if ticket.error == DEVICE_NOT_REGISTERED:
                removed += self._forget(sub, message.to)
            elif ticket.status == "error":
                log.warning("push_ticket_error", error=ticket.error, message=ticket.message)
            elif ticket.id:
                sent_tickets.append(SentTicket(id=ticket.id, sub=sub, message=message))
        if sent_tickets and self.receipts is not None:
            self.receipts.schedule(sent_tickets, now)
        if accepted == 0:
            if not all(ticket.error in TRANSIENT_ERRORS for ticket in tickets):
                return self._fail(sub, sent, "push-rejected", now, ("sent",), removed=removed)
            if sent.delivery_attempts + 1 >= MAX_DELIVERY_ATTEMPTS:
                return self._fail(sub, sent, "push-failed", now, ("sent",))
            self.reminders.unmark_sent(sub, sent, now)
            raise DeliveryFailed("Expo accepted none of the reminder's messages")
        log.info("reminder_sent", devices=len(devices), accepted=accepted, removed=removed)
        return Outcome(outcome="sent", devices=len(devices), accepted=accepted, removed=removed)

    def _fail(
        self,
        sub: str,
        reminder: Reminder,
        reason: str,
        now: datetime,
        before: tuple[ReminderStatus, ...],
        removed: int = 0,
    ) -> Outcome:
        """The reminder becomes `failed` with the reason; the user retries by moving it."""
        if self.reminders.mark_failed(sub, reminder, reason, now, before) is None:
            log.info("reminder_skipped", reason="changed-meanwhile")
            return Outcome(outcome="skipped", reason="changed-meanwhile")
        log.warning("reminder_failed", reason=reason)
        return Outcome(outcome="failed", reason=reason, removed=removed)

    def _forget(self, sub: str, token: str) -> int:
        try:
            self.devices.unregister(sub, token)
        except NotFound:
            return 0
        log.info("device_removed", reason=DEVICE_NOT_REGISTERED)
        return 1


def why_skip(snapshot: Snapshot, now: datetime) -> str | None:
    batch, culture, reminder = snapshot.batch, snapshot.culture, snapshot.reminder
    if snapshot.care:
        if culture is None:
            return "culture-gone"
        if culture.status not in OPEN_CULTURE_STATUSES:
            return f"culture-{culture.status}"
    elif batch is None:
        return "batch-gone"
    elif batch.status in ("finished", "archived"):
        return f"batch-{batch.status}"
    if reminder is None:
        return "reminder-gone"
    if reminder.status in ("cancelled", "done"):
        return f"reminder-{reminder.status}"
    if reminder.status == "sent":
        return "already-sent"
    if reminder.due_at > now + EARLY_TOLERANCE:
        return "not-due-yet"
    if not snapshot.notifications_on:
        return "notifications-off"
    return None


def _message(token: str, batch_name: str, reminder: Reminder) -> PushMessage:
    return PushMessage(
        to=token,
        title=batch_name,
        body=reminder.text,
        data={
            **({"cultureId": reminder.culture_id} if reminder.culture_id else {}),
            **({"batchId": reminder.batch_id} if reminder.batch_id else {}),
            "reminderId": reminder.id,
            "action": reminder.action,
        },
        sound="default",
        priority="high",
    )
