"""Registering, listing, renaming, moving and revoking a user's sensors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import msgspec

from app.domain.clock import utc_now
from app.domain.errors import InvalidInput, NotFound
from app.domain.ids import known_id
from app.domain.sensors import Sensor, new_sensor, new_token
from app.store.readings import ReadingStore
from app.store.sensors import SensorStore


class Registered(msgspec.Struct, frozen=True):
    sensor: Sensor
    token: str


class Sensors:
    def __init__(self, store: SensorStore, clock: Callable[[], datetime] = utc_now) -> None:
        self.store = store
        self.clock = clock

    def register(self, sub: str, batch_id: str, name: str) -> Registered:
        """A new sensor on the caller's open batch; the token is returned only here."""
        batch = self.store.batch(sub, known_id(batch_id, "batch"))
        token = new_token()
        sensor = new_sensor(name=_name(name), batch_id=batch.id, token=token, now=self.clock())
        self.store.register(sub, sensor, batch)
        return Registered(sensor=sensor, token=token)

    def list(self, sub: str, batch_id: str | None = None) -> list[Sensor]:
        sensors = self.store.list_sensors(sub)
        if batch_id is None:
            return sensors
        self.store.batch(sub, known_id(batch_id, "batch"))
        return [sensor for sensor in sensors if sensor.batch_id == batch_id]

    def change(self, sub: str, sensor_id: str, *, name: str | None, batch_id: str | None) -> Sensor:
        """Rename and/or move to another of the caller's open batches; readings already
        stored stay with the batch they were taken for."""
        sensor = self.store.get(sub, known_id(sensor_id, "sensor"))
        if sensor.status != "active":
            raise NotFound("No such sensor (it was revoked).")
        batch = None
        if batch_id is not None and batch_id != sensor.batch_id:
            batch = self.store.batch(sub, known_id(batch_id, "batch"))
        new_name = None if name is None else _name(name)
        if new_name is None and batch is None:
            return sensor
        return self.store.update(sub, sensor, name=new_name, batch=batch, now=self.clock())

    def revoke(self, sub: str, sensor_id: str) -> None:
        """Its token stops working at once; revoking again changes nothing."""
        sensor = self.store.get(sub, known_id(sensor_id, "sensor"))
        if sensor.status == "active":
            self.store.revoke(sub, sensor, self.clock())


def _name(name: str) -> str:
    if not name.strip():
        raise InvalidInput("name", "name cannot be blank.")
    return name.strip()


class Forget:
    """What a deleted batch or account leaves outside the user's partition: its readings
    partition and its sensors' token items. Safe to repeat. A deleted batch's readings
    become tombstones (its owner's devices are told); a deleted account's go."""

    def __init__(self, sensors: SensorStore, readings: ReadingStore) -> None:
        self.sensors = sensors
        self.readings = readings

    def batch(self, sub: str, batch_id: str, now: datetime | None = None) -> None:
        for sensor in self.sensors.list_sensors(sub):
            if sensor.batch_id == batch_id and sensor.status == "active":
                self.sensors.revoke(sub, sensor, now or utc_now())
        self.readings.bury(sub, batch_id, now or utc_now())

    def partition_page(self, sub: str, batch_ids: list[str], token_hashes: list[str]) -> None:
        """Before a page of the user's partition goes (account deletion): its batches'
        readings and its sensors' token items, which the page's items name."""
        for token_hash in token_hashes:
            self.sensors.delete_token(token_hash)
        for batch_id in batch_ids:
            self.readings.delete_all(sub, batch_id)
