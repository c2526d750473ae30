"""The caller's push devices (Expo push tokens): register, list, unregister."""

from __future__ import annotations

from datetime import datetime

from app.domain.devices import MAX_DEVICES, Device, Platform, is_push_token, token_hash
from app.domain.errors import InvalidInput, LimitReached, NotFound
from app.logs import get_logger
from app.store.devices import DeviceStore

log = get_logger(__name__)


class Devices:
    def __init__(self, store: DeviceStore) -> None:
        self.store = store

    def register(self, sub: str, token: str, platform: Platform, now: datetime) -> Device:
        """Registering again is harmless; a token another account held moves to the caller.
        A new device past MAX_DEVICES is refused (two registrations racing at the cap
        may both pass: the cap bounds abuse, it is not an invariant)."""
        if not is_push_token(token):
            raise InvalidInput("token", "token is not an Expo push token (ExponentPushToken[...]).")
        if self.store.count(sub) >= MAX_DEVICES and self.store.owner(token_hash(token)) != sub:
            raise LimitReached(
                f"An account can register at most {MAX_DEVICES} devices; "
                "remove one (DELETE /devices/...) first."
            )
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
