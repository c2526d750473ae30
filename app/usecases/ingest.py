"""Ingest: a device posts a reading with its secret token; no user is signed in.

Per reading: one GetItem (the token), one GetItem (the batch's alert state) and one
transaction (batch open, minute not full, state unchanged, alert events) — nothing is
written unless all of it is. Alerts it fires are pushed after the write.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import msgspec

from app.domain.alerts import Alert, AlertState, evaluate
from app.domain.clock import utc_now
from app.domain.device_formats import Format, parse_payload
from app.domain.errors import NotFound, TooManyReadings
from app.domain.readings import Reading, check_reading, seconds_to_next_minute
from app.domain.sensors import hash_token, looks_like_token
from app.logs import get_logger
from app.store.readings import MinuteFull, ReadingStore, StateChanged
from app.store.sensors import SensorStore
from app.usecases.alerts import AlertPush, alert_event

log = get_logger(__name__)

# One reading every 2 s per sensor is the most any device or bridge needs; beyond that
# it is a loop gone wrong, answered 429 so it backs off.
PER_MINUTE_CAP = 30
_STATE_ATTEMPTS = 4


class Ingested(msgspec.Struct, frozen=True, kw_only=True):
    format: Format
    reading: Reading
    alerts: list[Alert]


class Ingest:
    def __init__(
        self,
        sensors: SensorStore,
        readings: ReadingStore,
        push: AlertPush,
        *,
        per_minute_cap: int = PER_MINUTE_CAP,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.sensors = sensors
        self.readings = readings
        self.push = push
        self.per_minute_cap = per_minute_cap
        self.clock = clock

    def ingest(
        self, token: str, body: bytes, content_type: str, form_temp_unit: str = "F"
    ) -> Ingested:
        """The body is parsed before any read: garbage costs no DynamoDB call."""
        now = self.clock()
        parsed = parse_payload(body, content_type, now, form_temp_unit)
        reading = check_reading(parsed.reading, now)
        target = self.sensors.target(hash_token(token)) if looks_like_token(token) else None
        if target is None:
            raise NotFound("Unknown or revoked ingest token.")
        sub, batch_id = target.sub, target.batch_id
        for _ in range(_STATE_ATTEMPTS):
            state = self.readings.alert_state(sub, batch_id) or AlertState(
                kind=target.kind, started_at=target.started_at
            )
            fired = evaluate(state, target.sensor_id, reading)
            try:
                self.readings.add(
                    sub,
                    batch_id,
                    target.sensor_id,
                    reading,
                    per_minute_cap=self.per_minute_cap,
                    state=state,
                    events=[alert_event(batch_id, alert, now) for alert in fired],
                )
            except MinuteFull:
                raise TooManyReadings(
                    f"More than {self.per_minute_cap} readings in one minute from this "
                    "sensor: slow down.",
                    retry_after=seconds_to_next_minute(now),
                ) from None
            except StateChanged:
                continue
            break
        else:
            raise RuntimeError("the batch's alert state kept changing; giving up")
        if fired:
            log.info("alerts_fired", batch=batch_id, alerts=[alert.key for alert in fired])
            self.push.send(sub, batch_id, fired)
        return Ingested(format=parsed.format, reading=reading, alerts=fired)
