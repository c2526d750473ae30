"""Routes for the caller's push devices (Expo push tokens)."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from app.api.params import Caller
from app.api.schemas.devices import DeviceOut, RegisterDevice
from app.domain.clock import utc_now
from app.usecases.devices import Devices


class DeviceController(Controller):
    path = "/devices"
    tags = ["devices"]  # noqa: RUF012 (Litestar reads these as class attributes)

    @post(operation_id="registerDevice", sync_to_thread=False)
    def register(
        self, data: JSONBody[RegisterDevice], principal: Caller, devices: NamedDependency[Devices]
    ) -> DeviceOut:
        """Registering again is harmless; a token another account held moves to the caller."""
        return DeviceOut.of(devices.register(principal.sub, data.token, data.platform, utc_now()))

    @get(operation_id="listDevices", sync_to_thread=False)
    def list_devices(self, principal: Caller, devices: NamedDependency[Devices]) -> list[DeviceOut]:
        return [DeviceOut.of(d) for d in devices.list_devices(principal.sub)]

    @delete(
        "/{token:str}",
        operation_id="unregisterDevice",
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=False,
    )
    def unregister(
        self, token: FromPath[str], principal: Caller, devices: NamedDependency[Devices]
    ) -> None:
        devices.unregister(principal.sub, token)
