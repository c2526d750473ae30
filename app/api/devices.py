"""Routes for the caller's push devices (Expo push tokens)."""

from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from app.api.openapi import BEARER, contract
from app.api.params import Caller
from app.api.schemas.devices import DeviceOut, ProofRequiredOut, RegisterDevice
from app.domain.clock import utc_now
from app.domain.devices import token_hash
from app.usecases.devices import Devices


class DeviceController(Controller):
    path = "/devices"
    tags = ["devices"]  # noqa: RUF012 (Litestar reads these as class attributes)
    security = BEARER

    @post(
        operation_id="registerDevice",
        sync_to_thread=False,
        # 409 limit-reached: 20 devices per account; 202: the token is another account's.
        **contract(400, 401, 409, 413, also={202: ProofRequiredOut}),
    )
    def register(
        self, data: JSONBody[RegisterDevice], principal: Caller, devices: NamedDependency[Devices]
    ) -> Response[DeviceOut | ProofRequiredOut]:
        """Registering again is harmless. A token another account holds answers 202
        `proof-required` and moves only when registered again with the pushed `proof`."""
        done = devices.register(principal.sub, data.token, data.platform, utc_now(), data.proof)
        if done.proof_required_until is not None:
            pending = ProofRequiredOut(
                id=token_hash(data.token),
                status="proof-required",
                expires_at=done.proof_required_until,
            )
            return Response(pending, status_code=HTTP_202_ACCEPTED)
        return Response(DeviceOut.of(done.device), status_code=HTTP_201_CREATED)

    @get(
        operation_id="listDevices",
        sync_to_thread=False,
        **contract(401),
    )
    def list_devices(self, principal: Caller, devices: NamedDependency[Devices]) -> list[DeviceOut]:
        return [DeviceOut.of(d) for d in devices.list_devices(principal.sub)]

    @delete(
        "/{device_id:str}",
        operation_id="unregisterDevice",
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=False,
        **contract(401, 404),
    )
    def unregister(
        self, device_id: FromPath[str], principal: Caller, devices: NamedDependency[Devices]
    ) -> None:
        """By the `id` the device list gives: a token in a URL would land in access logs."""
        devices.unregister(principal.sub, device_id)
