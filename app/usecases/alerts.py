"""Alerts leave the app: logged as events (by the store, with the state that fired
them) and pushed to the owner's phones through Expo; silence is checked on a schedule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import msgspec

from app.domain.alerts import (
    Alert,
    silent_sensors,
)
from app.domain.batches import Event
from app.domain.clock import utc_now
from app.domain.errors import NotFound
from app.domain.ids import new_ulid
from app.logs import get_logger
from app.services.push import DEVICE_NOT_REGISTERED, PushMessage, PushSender, PushTicket
from app.services.push_receipts import ReceiptScheduler, SentTicket
from app.store.devices import DeviceStore
from app.store.readings import ReadingStore, StateChanged

log = get_logger(__name__)

_STATE_ATTEMPTS = 3


class Pushed(msgspec.Struct, frozen=True):
    tickets: list[PushTicket]
    removed: int


def alert_event(batch_id: str, alert: Alert, now: datetime) -> Event:
    return Event(
        id=new_ulid(alert.at),
        batch_id=batch_id,
        type="alert",
        occurred_at=alert.at,
        note=f"{alert.title}: {alert.body}",
        ph=None,
        temperature_c=None,
        gravity=None,
        created_at=now,
    )


class AlertPush:
    """Pushes fired alerts to every device of the batch's owner, and schedules the
    check of their receipts."""

    def __init__(
        self,
        devices: DeviceStore,
        push: PushSender,
        receipts: ReceiptScheduler | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.devices = devices
        self.push = push
        self.receipts = receipts
        self.clock = clock

    def send(self, sub: str, batch_id: str, alerts: Sequence[Alert]) -> Pushed:
        if not alerts:
            return Pushed(tickets=[], removed=0)
        devices = self.devices.list_devices(sub)
        messages = [
            PushMessage(
                to=device.token,
                title=alert.title,
                body=alert.body,
                data={"batchId": batch_id, "alert": alert.kind},
                sound="default",
                priority="high",
            )
            for alert in alerts
            for device in devices
        ]
        tickets = self.push.send(messages) if messages else []
        removed = 0
        accepted: list[SentTicket] = []
        for message, ticket in zip(messages, tickets, strict=True):
            if ticket.error == DEVICE_NOT_REGISTERED:
                removed += self._forget(sub, message.to)
            elif ticket.status == "ok" and ticket.id:
                accepted.append(SentTicket(id=ticket.id, sub=sub, message=message))
        if accepted and self.receipts is not None:
            self.receipts.schedule(accepted, self.clock())
        log.info("alerts_pushed", alerts=len(alerts), messages=len(messages), removed=removed)
        return Pushed(tickets=tickets, removed=removed)

    def _forget(self, sub: str, token: str) -> int:
        try:
            self.devices.unregister(sub, token)
        except NotFound:
            return 0
        return 1


class SilenceCheck:
    """Run on a schedule: fires "sensor offline" for sensors silent past their deadline."""

    def __init__(
        self, readings: ReadingStore, push: AlertPush, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.readings = readings
        self.push = push
        self.clock = clock

    def run(self, now: datetime | None = None) -> int:
        """The number of offline alerts fired."""
        now = now or self.clock()
        fired_total = 0
        for sub, batch_id in self.readings.silent_batches(now):
            fired = self._check(sub, batch_id, now)
            if fired:
                self.push.send(sub, batch_id, fired)
                fired_total += len(fired)
        return fired_total

    def _check(self, sub: str, batch_id: str, now: datetime) -> list[Alert]:
        for _ in range(_STATE_ATTEMPTS):
            state = self.readings.alert_state(sub, batch_id)
            if state is None:
                return []
            fired = silent_sensors(state, now)
            if not fired:
                return []
            events = [alert_event(batch_id, alert, now) for alert in fired]
            try:
                self.readings.save_state(sub, batch_id, state, events, now)
            except StateChanged:
                continue
            return fired
        log.warning("silence_check_gave_up", batch=batch_id)
        return []
