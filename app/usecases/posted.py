"""Filing the readings ingest accepted: the consumer of the table's stream.

Ingest writes a reading into its token's item and answers the device
(`app.usecases.ingest`); the stream hands each version of that item to this consumer,
in order per token, at least once. Filing one is one transaction (the minute bucket,
the alert state at the version read, the alert events; the batch still the owner's and
open), after which the alerts it fired are pushed. The sensor's entry in the alert state
remembers the last version filed, so a record handed over again is skipped: an alert is
logged and pushed once however often the stream retries. A reading for a batch deleted
or closed since it was accepted is dropped (and logged); for a closed one the token is
marked, so the device's next post is answered 409 (`SensorStore.mark_closed`).

The alert state is remembered per warm process, as ingest remembered it before: the
write is conditioned on its version, so a stale one costs a refused write and a read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import msgspec

from app.domain.alerts import Alert, AlertState, alert_event, evaluate
from app.domain.errors import BatchClosed, DomainError
from app.domain.sensors import Posted
from app.logs import get_logger
from app.store.readings import ReadingStore, StateChanged
from app.store.sensors import SensorStore
from app.usecases.remembered import Lru

if TYPE_CHECKING:
    from app.config import Settings
    from app.services.clients import AwsClients
    from app.usecases.alerts import AlertPush

log = get_logger(__name__)

_STATE_ATTEMPTS = 4
REMEMBERED = 2048

_state_encoder = msgspec.json.Encoder()
_state_decoder = msgspec.json.Decoder(AlertState)


class PostedReadings:
    def __init__(
        self,
        readings: ReadingStore,
        sensors: SensorStore,
        push: Callable[[], AlertPush],
        *,
        remembered: int = REMEMBERED,
    ) -> None:
        self.readings = readings
        self.sensors = sensors
        self.push = push
        self._states: Lru[tuple[str, str], AlertState] = Lru(remembered)

    def file(self, posted: Posted) -> list[Alert]:
        """File one reading (once) and push what it fired."""
        target, reading = posted.target, posted.reading
        key = (target.sub, target.batch_id)
        for _ in range(_STATE_ATTEMPTS):
            state = self._state(posted)
            seen = state.sensors.get(target.sensor_id)
            if seen is not None and seen.seq >= posted.version:
                return []  # filed already: the stream handed it over again
            fired = evaluate(state, target.sensor_id, reading)
            state.sensors[target.sensor_id].seq = posted.version
            now = posted.received_at
            try:
                self.readings.add(
                    target,
                    reading,
                    state=state,
                    events=[alert_event(target.batch_id, alert, now) for alert in fired],
                    now=now,
                )
            except StateChanged:
                self._states.pop(key)
                continue
            except DomainError as exc:  # the batch is gone or closed since ingest
                self._states.pop(key)
                log.info("reading_dropped", batch=target.batch_id, reason=exc.detail)
                if isinstance(exc, BatchClosed):
                    self.sensors.mark_closed(posted.token_hash, target.batch_id)
                return []
            self._states.put(key, msgspec.structs.replace(state, version=state.version + 1))
            break
        else:
            raise RuntimeError("the batch's alert state kept changing; giving up")
        if fired:
            log.info("alerts_fired", batch=target.batch_id, alerts=[a.key for a in fired])
            self.push().send(target.sub, target.batch_id, fired)
        return fired

    def _state(self, posted: Posted) -> AlertState:
        """A private copy (evaluation changes it in place), remembered or read."""
        target = posted.target
        remembered = self._states.get((target.sub, target.batch_id))
        if remembered is not None:
            return _copy(remembered)
        stored = self.readings.alert_state(target.sub, target.batch_id)
        return stored or AlertState(kind=target.kind, started_at=target.started_at)


def posted_readings(settings: Settings, clients: AwsClients) -> PostedReadings:
    """One recipe for the alerts function and the tests. Its role writes readings and
    alerts only: devices Expo says are gone are removed by the receipts check (the
    reminders function). The push is built on the first alert."""
    from functools import cache

    @cache
    def push() -> AlertPush:
        from app.usecases.alerts import alert_push

        return alert_push(settings, clients, forget_devices=False)

    table = settings.table_name
    return PostedReadings(
        ReadingStore(clients.dynamodb, table), SensorStore(clients.dynamodb, table), push
    )


def _copy(state: AlertState) -> AlertState:
    return _state_decoder.decode(_state_encoder.encode(state))
