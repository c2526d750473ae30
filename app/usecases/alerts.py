"""Alerts leave the app: logged as events (by the store, with the state that fired
them) and pushed to the owner's phones through Expo (silence is checked on a schedule:
`app.usecases.silence`).

Quiet hours (the owner's profile, in its time zone) defer every alert but the safety
ones (`SAFETY_ALERTS`: a batch that may be unsafe to drink is said at once) to the end
of the quiet hours, through a one-time schedule that hands them to the reminders
function, which pushes them then (checking the quiet hours again, so a change of them
applies). DST is the profile module's concern (`quiet_until`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

import msgspec

from app.domain.alerts import SAFETY_ALERTS, Alert
from app.domain.clock import utc_now
from app.domain.errors import NotFound
from app.domain.profiles import quiet_until
from app.domain.reminders import zone_or_utc
from app.logs import get_logger
from app.services.push import (
    DEVICE_NOT_REGISTERED,
    PushMessage,
    PushSender,
    PushTicket,
    push_sender,
)
from app.services.push_receipts import DeferredAlerts, GoneDevice, ReceiptScheduler, SentTicket
from app.store.devices import DeviceStore
from app.store.profiles import ProfileStore

if TYPE_CHECKING:
    from app.config import Settings
    from app.services.clients import AwsClients

log = get_logger(__name__)


class Pushed(msgspec.Struct, frozen=True):
    tickets: list[PushTicket]
    removed: int
    deferred: int = 0


class AlertPush:
    """Pushes fired alerts to every device of the batch's owner, and schedules the
    check of their receipts. With `forget_devices` off (the ingest function, whose role
    writes readings only), a device Expo says is gone is handed to the receipts check,
    which removes it, instead of being removed here. The Expo client is built on the
    first push: most requests fire nothing."""

    def __init__(
        self,
        devices: DeviceStore,
        profiles: ProfileStore,
        push: Callable[[], PushSender],
        later: ReceiptScheduler | None = None,
        *,
        forget_devices: bool = True,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.devices = devices
        self.profiles = profiles
        self._sender = push
        self.later = later
        self.forget_devices = forget_devices
        self.clock = clock

    @cached_property
    def push(self) -> PushSender:
        return self._sender()

    def send(
        self, sub: str, batch_id: str, alerts: Sequence[Alert], now: datetime | None = None
    ) -> Pushed:
        now = now or self.clock()
        deferred = self._defer(sub, batch_id, alerts, now)
        alerts = [alert for alert in alerts if alert not in deferred]
        if not alerts:
            return Pushed(tickets=[], removed=0, deferred=len(deferred))
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
        gone: list[GoneDevice] = []
        for message, ticket in zip(messages, tickets, strict=True):
            if ticket.error == DEVICE_NOT_REGISTERED:
                if self.forget_devices:
                    removed += self._forget(sub, message.to)
                else:
                    gone.append(GoneDevice(sub=sub, token=message.to))
            elif ticket.status == "ok" and ticket.id:
                accepted.append(SentTicket(id=ticket.id, sub=sub, message=message))
        if (accepted or gone) and self.later is not None:
            self.later.schedule(accepted, now, gone=gone)
        log.info("alerts_pushed", alerts=len(alerts), messages=len(messages), removed=removed)
        return Pushed(tickets=tickets, removed=removed, deferred=len(deferred))

    def _defer(
        self, sub: str, batch_id: str, alerts: Sequence[Alert], now: datetime
    ) -> list[Alert]:
        """The alerts handed to a schedule at the end of the owner's quiet hours; none
        outside them, and none if the schedule cannot be made (pushed now instead)."""
        waiting = [alert for alert in alerts if alert.kind not in SAFETY_ALERTS]
        if not waiting or self.later is None:
            return []
        profile = self.profiles.get(sub)
        if profile is None:
            return []
        until = quiet_until(now, profile.notifications, zone_or_utc(profile.time_zone))
        if until is None:
            return []
        if not self.later.defer(DeferredAlerts(sub=sub, batch_id=batch_id, alerts=waiting), until):
            return []
        log.info("alerts_deferred", reason="quiet-hours", until=until.isoformat())
        return waiting

    def _forget(self, sub: str, token: str) -> int:
        try:
            self.devices.unregister(sub, token)
        except NotFound:
            return 0
        return 1


def alert_push(settings: Settings, clients: AwsClients, *, forget_devices: bool) -> AlertPush:
    """One recipe for every function that pushes alerts (ingest, alerts, reminders)."""
    table = settings.table_name
    return AlertPush(
        DeviceStore(clients.dynamodb, table),
        ProfileStore(clients.dynamodb, table),
        lambda: push_sender(settings.expo_push_url, settings.expo_access_token),
        ReceiptScheduler.from_settings(settings, lambda: clients.scheduler),
        forget_devices=forget_devices,
    )
