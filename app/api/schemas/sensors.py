"""Bodies of the sensor routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import UNSET, Meta, UnsetType

from app.api.schemas.base import Body, NonBlankLine, Out
from app.domain.sensors import Sensor, SensorStatus

SensorName = Annotated[NonBlankLine, Meta(min_length=1, max_length=80, examples=["iSpindel blue"])]
BatchId = Annotated[str, Meta(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]


class RegisterSensor(Body):
    name: SensorName


class ChangeSensor(Body):
    """Rename (`name`) and/or move to another of the caller's batches (`batchId`)."""

    name: SensorName | UnsetType = UNSET
    batch_id: BatchId | UnsetType = UNSET


class SensorOut(Out):
    id: str
    name: str
    batch_id: str
    status: SensorStatus
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, sensor: Sensor) -> SensorOut:
        return cls(
            id=sensor.id,
            name=sensor.name,
            batch_id=sensor.batch_id,
            status=sensor.status,
            created_at=sensor.created_at,
            updated_at=sensor.updated_at,
            version=sensor.version,
        )


class RegisteredSensorOut(SensorOut):
    """`token` and `ingestUrl` are shown this once: only the token's hash is kept."""

    token: str
    ingest_url: str


class SensorList(Out):
    items: list[SensorOut]
