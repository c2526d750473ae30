"""Routes for a user's sensors: register on a batch, list, rename, move, revoke."""

from typing import Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT
from msgspec import UNSET

from app.api.openapi import BEARER, contract
from app.api.params import Caller, PathId
from app.api.schemas.sensors import (
    ChangeSensor,
    RegisteredSensorOut,
    RegisterSensor,
    SensorList,
    SensorOut,
)
from app.usecases.sensors import Sensors

SensorsCase = NamedDependency[Sensors]


def ingest_url(request: Request[Any, Any, Any], token: str) -> str:
    """The URL a device is configured with; the API's own origin (not the web page's)."""
    return f"{str(request.base_url).rstrip('/')}/ingest/{token}"


class SensorController(Controller):
    tags = ["sensors"]  # noqa: RUF012 (Litestar reads these as class attributes)
    security = BEARER

    @post(
        "/batches/{batch_id:str}/sensors",
        operation_id="registerSensor",
        sync_to_thread=False,
        **contract(400, 401, 404, 409, 413),
    )
    def register(
        self,
        request: Request[Any, Any, Any],
        batch_id: PathId,
        data: JSONBody[RegisterSensor],
        principal: Caller,
        sensors: SensorsCase,
    ) -> RegisteredSensorOut:
        registered = sensors.register(principal.sub, batch_id, data.name)
        base = SensorOut.of(registered.sensor)
        return RegisteredSensorOut(
            **{f: getattr(base, f) for f in base.__struct_fields__},
            token=registered.token,
            ingest_url=ingest_url(request, registered.token),
        )

    @get(
        "/batches/{batch_id:str}/sensors",
        operation_id="listBatchSensors",
        sync_to_thread=False,
        **contract(401, 404),
    )
    def list_for_batch(
        self, batch_id: PathId, principal: Caller, sensors: SensorsCase
    ) -> SensorList:
        return SensorList(items=[SensorOut.of(s) for s in sensors.list(principal.sub, batch_id)])

    @get("/sensors", operation_id="listSensors", sync_to_thread=False, **contract(401))
    def list_all(self, principal: Caller, sensors: SensorsCase) -> SensorList:
        return SensorList(items=[SensorOut.of(s) for s in sensors.list(principal.sub)])

    @patch(
        "/sensors/{sensor_id:str}",
        operation_id="changeSensor",
        sync_to_thread=False,
        **contract(400, 401, 404, 409, 413),
    )
    def change(
        self,
        sensor_id: PathId,
        data: JSONBody[ChangeSensor],
        principal: Caller,
        sensors: SensorsCase,
    ) -> SensorOut:
        sensor = sensors.change(
            principal.sub,
            sensor_id,
            name=None if data.name is UNSET else data.name,
            batch_id=None if data.batch_id is UNSET else data.batch_id,
        )
        return SensorOut.of(sensor)

    @delete(
        "/sensors/{sensor_id:str}",
        operation_id="revokeSensor",
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=False,
        **contract(401, 404),
    )
    def revoke(self, sensor_id: PathId, principal: Caller, sensors: SensorsCase) -> None:
        sensors.revoke(principal.sub, sensor_id)
