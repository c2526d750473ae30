"""Routes for the caller's push devices (Expo push tokens)."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from app.api.auth import provide_principal
from app.api.reminder_schemas import DeviceOut, RegisterDevice
from app.domain.devices import Device, is_push_token
from app.domain.errors import InvalidInput, NotFound
from app.logs import get_logger
from app.services.auth import Principal
from app.store.devices import DeviceStore

Caller = NamedDependency[Principal]
Devices = NamedDependency[DeviceStore]

log = get_logger(__name__)


class DeviceController(Controller):
    path = "/devices"
    tags = ["devices"]  # noqa: RUF012 (Litestar reads these as class attributes)
    dependencies = {  # noqa: RUF012
        "principal": Provide(provide_principal, sync_to_thread=False),
    }

    @post(operation_id="registerDevice", sync_to_thread=False)
    def register(
        self, data: JSONBody[RegisterDevice], principal: Caller, devices: Devices
    ) -> DeviceOut:
        """Registering again is harmless; a token another account held moves to the caller."""
        if not is_push_token(data.token):
            raise InvalidInput("token", "token is not an Expo push token (ExponentPushToken[...]).")
        now = datetime.now(UTC)
        device = Device(token=data.token, platform=data.platform, created_at=now, updated_at=now)
        previous = devices.register(principal.sub, device)
        if previous is not None:
            log.info("push_token_moved", previous_user=previous)
        return DeviceOut.of(device)

    @get(operation_id="listDevices", sync_to_thread=False)
    def list_devices(self, principal: Caller, devices: Devices) -> list[DeviceOut]:
        return [DeviceOut.of(d) for d in devices.list_devices(principal.sub)]

    @delete(
        "/{token:str}",
        operation_id="unregisterDevice",
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=False,
    )
    def unregister(self, token: FromPath[str], principal: Caller, devices: Devices) -> None:
        if not is_push_token(token):
            raise NotFound("No such device.")
        devices.unregister(principal.sub, token)
