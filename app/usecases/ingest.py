"""Ingest: a device posts a reading with its secret token; no user is signed in.

Per reading: one transaction (batch open, token still pointing at it, minute not full,
alert state unchanged, alert events) — nothing is written unless all of it is — after
reading the token and the batch's alert state, unless this warm process remembers
both. Alerts it fires are pushed after the write, by an `AlertPush` built on the first
alert (`push` is its factory): the Expo client, httpx and the scheduler's model are
loaded by the few processes that ever push, not by every cold start.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Generic, TypeVar

import msgspec

from app.domain.alerts import Alert, AlertState, alert_event, evaluate
from app.domain.clock import utc_now
from app.domain.device_formats import Format, parse_payload
from app.domain.errors import DomainError, NotFound, TooManyReadings
from app.domain.readings import Reading, check_reading, seconds_to_next_minute
from app.domain.sensors import IngestTarget, hash_token, looks_like_token
from app.logs import get_logger
from app.store.readings import MinuteFull, ReadingStore, StateChanged, TokenChanged
from app.store.sensors import SensorStore

if TYPE_CHECKING:
    from app.config import Settings
    from app.services.clients import AwsClients
    from app.usecases.alerts import AlertPush

log = get_logger(__name__)

# One reading every 2 s per sensor is the most any device or bridge needs; beyond that
# it is a loop gone wrong, answered 429 so it backs off.
PER_MINUTE_CAP = 30
_STATE_ATTEMPTS = 4
REMEMBERED = 2048
UNKNOWN_TOKEN = "Unknown or revoked ingest token."  # noqa: S105 (a message)
_state_encoder = msgspec.json.Encoder()
_state_decoder = msgspec.json.Decoder(AlertState)


class Ingested(msgspec.Struct, frozen=True, kw_only=True):
    format: Format
    reading: Reading
    alerts: list[Alert]


class Ingest:
    """Remembers, per warm process, the targets of tokens it has seen and the alert
    states it wrote last (a bounded LRU each). Remembering is safe because the write
    is conditioned on both: a revoked or moved token fails the token check, a state
    another process moved fails the version check, and then both are read again. So
    a sensor posting to a warm function costs one call; a cold one costs three."""

    def __init__(
        self,
        sensors: SensorStore,
        readings: ReadingStore,
        push: Callable[[], AlertPush],
        *,
        per_minute_cap: int = PER_MINUTE_CAP,
        clock: Callable[[], datetime] = utc_now,
        remembered: int = REMEMBERED,
    ) -> None:
        self.sensors = sensors
        self.readings = readings
        self.push = push
        self.per_minute_cap = per_minute_cap
        self.clock = clock
        self._targets: _Lru[str, IngestTarget] = _Lru(remembered)
        self._states: _Lru[tuple[str, str], AlertState] = _Lru(remembered)

    def ingest(
        self, token: str, body: bytes, content_type: str, form_temp_unit: str = "F"
    ) -> Ingested:
        """The body is parsed before any read: garbage costs no DynamoDB call."""
        now = self.clock()
        parsed = parse_payload(body, content_type, now, form_temp_unit)
        reading = check_reading(parsed.reading, now)
        if not looks_like_token(token):
            raise NotFound(UNKNOWN_TOKEN)
        hashed = hash_token(token)
        target = self._targets.get(hashed) or self._read_target(hashed)
        for _ in range(_STATE_ATTEMPTS):
            key = (target.sub, target.batch_id)
            state = self._state(target)
            fired = evaluate(state, target.sensor_id, reading)
            try:
                self.readings.add(
                    target,
                    hashed,
                    reading,
                    per_minute_cap=self.per_minute_cap,
                    state=state,
                    events=[alert_event(target.batch_id, alert, now) for alert in fired],
                    now=now,
                )
            except MinuteFull:
                raise TooManyReadings(
                    f"More than {self.per_minute_cap} readings in one minute from this "
                    "sensor: slow down.",
                    retry_after=seconds_to_next_minute(now),
                ) from None
            except StateChanged:
                self._states.pop(key)
                continue
            except TokenChanged:
                self._targets.pop(hashed)
                self._states.pop(key)
                target = self._read_target(hashed)
                continue
            except DomainError:  # the batch is gone or closed
                self._targets.pop(hashed)
                self._states.pop(key)
                raise
            self._states.put(key, msgspec.structs.replace(state, version=state.version + 1))
            break
        else:
            raise RuntimeError("the batch's alert state kept changing; giving up")
        if fired:
            log.info("alerts_fired", batch=target.batch_id, alerts=[a.key for a in fired])
            self.push().send(target.sub, target.batch_id, fired)
        return Ingested(format=parsed.format, reading=reading, alerts=fired)

    def _read_target(self, hashed: str) -> IngestTarget:
        target = self.sensors.target(hashed)
        if target is None:
            raise NotFound(UNKNOWN_TOKEN)
        self._targets.put(hashed, target)
        return target

    def _state(self, target: IngestTarget) -> AlertState:
        """A private copy (evaluation changes it in place), remembered or read."""
        remembered = self._states.get((target.sub, target.batch_id))
        if remembered is not None:
            return _copy(remembered)
        stored = self.readings.alert_state(target.sub, target.batch_id)
        return stored or AlertState(kind=target.kind, started_at=target.started_at)


def ingest_use_case(settings: Settings, clients: AwsClients) -> Ingest:
    """One recipe for the ingest function's handler and the app's ingest routes. The
    alert push is built on the first alert; its role writes readings only, so devices
    Expo says are gone are removed by the receipts check (the reminders function)."""
    from functools import cache

    table = settings.table_name

    @cache
    def push() -> AlertPush:
        from app.usecases.alerts import alert_push

        return alert_push(settings, clients, forget_devices=False)

    return Ingest(SensorStore(clients.dynamodb, table), ReadingStore(clients.dynamodb, table), push)


def _copy(state: AlertState) -> AlertState:
    return _state_decoder.decode(_state_encoder.encode(state))


K = TypeVar("K")
V = TypeVar("V")


class _Lru(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def pop(self, key: K) -> None:
        self._items.pop(key, None)
