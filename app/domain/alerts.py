"""Alerts a batch's readings raise, evaluated reading by reading on a small state.

Each rule keeps just enough state to decide without looking back through the series
(ingest reads one item, not two days of readings), and fires once per episode: an
alert in `firing` stays quiet until its condition clears.

* gravity stable: every reading since `anchor_at` lies within `stable_delta` of the
  anchor's gravity, for at least `stable_hours`, and the gravity has dropped from the
  first reading (a ferment that never started is not "ready").
* pH target: pH at or below the target; clears above target + 0.1 (meters jitter).
* pH safety (kombucha): pH still above 4.6 once the batch is 7 days old.
* temperature: outside the kind's range for longer than `temperature_grace_minutes`.
* sensor offline: silent for `offline_intervals` of its reporting interval; evaluated
  on a schedule, since silence brings no request.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

import msgspec

from app.domain.batches import BatchKind, Event
from app.domain.errors import InvalidInput
from app.domain.ids import new_ulid
from app.domain.readings import Reading

AlertKind = Literal["gravity_stable", "ph_target", "ph_safety", "temperature", "sensor_offline"]
# Pushed even inside the owner's quiet hours: a warning that the batch may be unsafe to
# drink must not wait for the morning. Every other alert waits for the quiet hours' end.
SAFETY_ALERTS: frozenset[AlertKind] = frozenset({"ph_safety"})

DEFAULT_INTERVAL_S = 15 * 60
PH_HYSTERESIS = 0.1
MIN_DROP = 0.002
# Gravities arrive as decimals (1.011 - 1.010 is 0.000999… in binary): compare with slack.
EPSILON = 1e-9


class AlertRules(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    stable_hours: float = 48.0
    stable_delta: float = 0.001
    ph_target: float | None = None
    ph_safety_max: float | None = None
    ph_safety_days: float = 7.0
    temperature_min: float | None = None
    temperature_max: float | None = None
    temperature_grace_minutes: float = 30.0
    offline_intervals: int = 3


DEFAULT_RULES: dict[BatchKind, AlertRules] = {
    "milk_kefir": AlertRules(temperature_min=18.0, temperature_max=28.0),
    "water_kefir": AlertRules(ph_target=3.5, temperature_min=18.0, temperature_max=30.0),
    # pH 4.6 is the line below which pathogens cannot grow; kombucha that has not
    # reached it after a week has a weak culture and should not be drunk.
    "kombucha": AlertRules(
        ph_target=3.2, ph_safety_max=4.6, temperature_min=20.0, temperature_max=30.0
    ),
    "sourdough": AlertRules(temperature_min=18.0, temperature_max=32.0),
    "other": AlertRules(temperature_min=10.0, temperature_max=30.0),
}


def check_rules(rules: AlertRules) -> AlertRules:
    """What field limits cannot say: a range must be a range."""
    low, high = rules.temperature_min, rules.temperature_max
    if low is not None and high is not None and low >= high:
        raise InvalidInput("temperatureMin", "temperatureMin must be below temperatureMax.")
    return rules


class SensorSeen(msgspec.Struct, kw_only=True):
    last_at: datetime
    interval_s: int = DEFAULT_INTERVAL_S
    # The version of the sensor's token item that carried the last reading filed: the
    # stream may hand a record over again, and it is filed once.
    seq: int = 0


class AlertState(msgspec.Struct, kw_only=True):
    """Per batch; `version` guards concurrent ingests (optimistic locking)."""

    kind: BatchKind
    started_at: datetime
    version: int = 0
    last_at: datetime | None = None
    first_gravity: float | None = None
    anchor_gravity: float | None = None
    anchor_at: datetime | None = None
    temperature_out_since: datetime | None = None
    firing: list[str] = msgspec.field(default_factory=list)
    sensors: dict[str, SensorSeen] = msgspec.field(default_factory=dict)
    rules: AlertRules | None = None

    def effective_rules(self) -> AlertRules:
        return self.rules or DEFAULT_RULES[self.kind]

    def silence_deadline(self) -> datetime | None:
        """When the next sensor goes offline if nothing arrives; None if all are known
        offline (their episode is open) or there are none."""
        rules = self.effective_rules()
        deadlines = [
            seen.last_at + timedelta(seconds=seen.interval_s * rules.offline_intervals)
            for sensor_id, seen in self.sensors.items()
            if offline_key(sensor_id) not in self.firing
        ]
        return min(deadlines, default=None)


class Alert(msgspec.Struct, frozen=True, kw_only=True):
    kind: AlertKind
    key: str
    at: datetime
    title: str
    body: str


def alert_event(batch_id: str, alert: Alert, now: datetime) -> Event:
    """The event that logs an alert in the batch's history."""
    return Event(
        id=new_ulid(alert.at),
        batch_id=batch_id,
        type="alert",
        occurred_at=alert.at,
        note=f"{alert.title}: {alert.body}",
        ph=None,
        temperature_c=None,
        gravity=None,
        created_at=now,
    )


def offline_key(sensor_id: str) -> str:
    return f"sensor_offline:{sensor_id}"


def evaluate(state: AlertState, sensor_id: str, reading: Reading) -> list[Alert]:
    """Apply one reading to `state` (in place) and return the alerts it fires."""
    rules = state.effective_rules()
    seen = state.sensors.get(sensor_id)
    interval = reading.interval_s or (seen.interval_s if seen else DEFAULT_INTERVAL_S)
    if seen is None or reading.at >= seen.last_at:
        state.sensors[sensor_id] = SensorSeen(
            last_at=reading.at, interval_s=interval, seq=seen.seq if seen else 0
        )
    _clear(state, offline_key(sensor_id))
    if state.last_at is not None and reading.at < state.last_at:
        return []  # late, out-of-order readings are stored but do not move the rules
    state.last_at = reading.at
    fired: list[Alert] = []
    if reading.gravity is not None:
        fired += _gravity(state, rules, reading.gravity, reading.at)
    if reading.ph is not None:
        fired += _ph(state, rules, reading.ph, reading.at)
    if reading.temperature is not None:
        fired += _temperature(state, rules, reading.temperature, reading.at)
    return fired


def offline_sensor(alert: Alert) -> str | None:
    """The sensor an offline alert is about; None for other alerts."""
    prefix = offline_key("")
    return alert.key.removeprefix(prefix) if alert.key.startswith(prefix) else None


def forget_sensor(state: AlertState, sensor_id: str) -> None:
    """The sensor no longer reports to this batch (revoked, or moved to another): it
    leaves the state, so its silence is nobody's alert."""
    state.sensors.pop(sensor_id, None)
    _clear(state, offline_key(sensor_id))


def silent_sensors(state: AlertState, now: datetime) -> list[Alert]:
    """Sensors silent for `offline_intervals` intervals; each fires once until it
    reports again."""
    rules = state.effective_rules()
    fired = []
    for sensor_id, seen in sorted(state.sensors.items()):
        silent_for = now - seen.last_at
        if silent_for >= timedelta(seconds=seen.interval_s * rules.offline_intervals):
            hours = silent_for.total_seconds() / 3600
            fired += _fire(
                state,
                offline_key(sensor_id),
                "sensor_offline",
                now,
                "Sensor offline",
                f"No reading for {hours:.1f} h: check the sensor's battery and Wi-Fi.",
            )
    return fired


def _gravity(state: AlertState, rules: AlertRules, gravity: float, at: datetime) -> list[Alert]:
    if state.first_gravity is None:
        state.first_gravity = gravity
    anchor = state.anchor_gravity
    if (
        anchor is None
        or state.anchor_at is None
        or abs(gravity - anchor) >= rules.stable_delta - EPSILON
    ):
        state.anchor_gravity, state.anchor_at = gravity, at
        _clear(state, "gravity_stable")
        return []
    dropped = state.first_gravity - gravity >= MIN_DROP
    if dropped and at - state.anchor_at >= timedelta(hours=rules.stable_hours):
        return _fire(
            state,
            "gravity_stable",
            "gravity_stable",
            at,
            "Ready to bottle",
            f"Gravity has stayed at {gravity:.3f} for {rules.stable_hours:g} h: "
            "fermentation is done, bottle or strain it.",
        )
    return []


def _ph(state: AlertState, rules: AlertRules, ph: float, at: datetime) -> list[Alert]:
    fired: list[Alert] = []
    if rules.ph_target is not None:
        if ph <= rules.ph_target:
            fired += _fire(
                state,
                "ph_target",
                "ph_target",
                at,
                "pH target reached",
                f"pH is {ph:.2f} (target {rules.ph_target:g}): it is ready.",
            )
        elif ph > rules.ph_target + PH_HYSTERESIS:
            _clear(state, "ph_target")
    if rules.ph_safety_max is not None:
        old_enough = at - state.started_at >= timedelta(days=rules.ph_safety_days)
        if ph > rules.ph_safety_max and old_enough:
            fired += _fire(
                state,
                "ph_safety",
                "ph_safety",
                at,
                "Do not drink yet",
                f"pH is still {ph:.2f} after {rules.ph_safety_days:g} days (safe is at or "
                f"below {rules.ph_safety_max:g}): the culture may be weak; discard if in doubt.",
            )
        elif ph <= rules.ph_safety_max:
            _clear(state, "ph_safety")
    return fired


def _temperature(
    state: AlertState, rules: AlertRules, temperature: float, at: datetime
) -> list[Alert]:
    low, high = rules.temperature_min, rules.temperature_max
    outside = (low is not None and temperature < low) or (high is not None and temperature > high)
    if not outside:
        state.temperature_out_since = None
        _clear(state, "temperature")
        return []
    if state.temperature_out_since is None:
        state.temperature_out_since = at
    if at - state.temperature_out_since > timedelta(minutes=rules.temperature_grace_minutes):
        return _fire(
            state,
            "temperature",
            "temperature",
            at,
            "Temperature out of range",
            f"It is {temperature:.1f} °C, outside {_range(low, high)} "
            f"for more than {rules.temperature_grace_minutes:g} min.",
        )
    return []


def _range(low: float | None, high: float | None) -> str:
    if low is None:
        return f"at most {high:g} °C"
    if high is None:
        return f"at least {low:g} °C"
    return f"{low:g}-{high:g} °C"


def _fire(
    state: AlertState, key: str, kind: AlertKind, at: datetime, title: str, body: str
) -> list[Alert]:
    if key in state.firing:
        return []
    state.firing.append(key)
    return [Alert(kind=kind, key=key, at=at, title=title, body=body)]


def _clear(state: AlertState, key: str) -> None:
    if key in state.firing:
        state.firing.remove(key)
