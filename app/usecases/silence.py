"""The periodic silence check: "sensor offline" for sensors silent past their deadline.

A sensor revoked or moved to another batch since its last reading is silent here for a
reason: before firing, the check looks at each sensor it would fire for (one GetItem,
only then) and forgets those that no longer report to this batch.

Apart from the push code (`app.usecases.alerts`), which it builds only when something
fired: most runs find nothing, and the ingest function, which holds it for tests,
must not load Expo's client at cold start.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from app.domain.alerts import Alert, alert_event, forget_sensor, offline_sensor, silent_sensors
from app.domain.clock import utc_now
from app.domain.errors import NotFound
from app.logs import get_logger
from app.store.readings import ReadingStore, StateChanged
from app.store.sensors import SensorStore

if TYPE_CHECKING:
    from app.usecases.alerts import AlertPush

log = get_logger(__name__)

_STATE_ATTEMPTS = 3


class SilenceCheck:
    """Run on a schedule: fires "sensor offline" for sensors silent past their deadline."""

    def __init__(
        self,
        readings: ReadingStore,
        sensors: SensorStore,
        push: Callable[[], AlertPush],
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.readings = readings
        self.sensors = sensors
        self._push = push
        self.clock = clock

    def run(self, now: datetime | None = None) -> int:
        """The number of offline alerts fired."""
        now = now or self.clock()
        fired_total = 0
        for sub, batch_id in self.readings.silent_batches(now):
            fired = self._check(sub, batch_id, now)
            if fired:
                self._push().send(sub, batch_id, fired)
                fired_total += len(fired)
        return fired_total

    def _check(self, sub: str, batch_id: str, now: datetime) -> list[Alert]:
        for _ in range(_STATE_ATTEMPTS):
            state = self.readings.alert_state(sub, batch_id)
            if state is None:
                return []
            fired = silent_sensors(state, now)
            if not fired:
                return []
            gone = [a for a in fired if not self._reports_to(sub, batch_id, offline_sensor(a))]
            for alert in gone:
                forget_sensor(state, offline_sensor(alert) or "")
            fired = [alert for alert in fired if alert not in gone]
            events = [alert_event(batch_id, alert, now) for alert in fired]
            try:
                self.readings.save_state(sub, batch_id, state, events, now)
            except StateChanged:
                continue
            return fired
        log.warning("silence_check_gave_up", batch=batch_id)
        return []

    def _reports_to(self, sub: str, batch_id: str, sensor_id: str | None) -> bool:
        if sensor_id is None:
            return True
        try:
            sensor = self.sensors.get(sub, sensor_id)
        except NotFound:
            return False
        return sensor.status == "active" and sensor.batch_id == batch_id
