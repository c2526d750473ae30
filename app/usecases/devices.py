"""The caller's push devices (Expo push tokens): register, list, unregister."""

from __future__ import annotations

from datetime import datetime

from app.domain.devices import Device, Platform, is_push_token
from app.domain.errors import InvalidInput, NotFound
from app.logs import get_logger
from app.store.devices import DeviceStore

log = get_logger(__name__)


class Devices:
    def __init__(self, store: DeviceStore) -> None:
        self.store = store

    def register(self, sub: str, token: str, platform: Platform, now: datetime) -> Device:
        """Registering again is harmless; a token another account held moves to the caller."""
        if not is_push_token(token):
            raise InvalidInput("token", "token is not an Expo push token (ExponentPushToken[...]).")
        device = Device(token=token, platform=platform, created_at=now, updated_at=now)
        previous = self.store.register(sub, device)
        if previous is not None:
            log.info("push_token_moved", previous_user=previous)
        return device

    def list_devices(self, sub: str) -> list[Device]:
        return self.store.list_devices(sub)

    def unregister(self, sub: str, token: str) -> None:
        if not is_push_token(token):
            raise NotFound("No such device.")
        self.store.unregister(sub, token)
