"""Readings from hydrometers, thermometers and pH meters: units, ranges, buckets, series.

Everything here is arithmetic on values already parsed: no I/O. Gravity is stored as
specific gravity (SG), temperature in °C; °P and °Bx are converted with the ASBC
polynomials (Brix is treated as Plato, as hydrometer makers do for wort and sugar
water).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal, get_args

import msgspec

from app.domain.errors import InvalidInput

Metric = Literal["gravity", "temperature", "ph", "battery"]
DerivedMetric = Literal["plato", "velocity", "attenuation", "abv"]
SeriesMetric = Metric | DerivedMetric
METRICS: tuple[Metric, ...] = get_args(Metric)
SERIES_METRICS: tuple[str, ...] = (*get_args(Metric), *get_args(DerivedMetric))

UNITS: dict[str, str] = {
    "gravity": "SG",
    "temperature": "°C",
    "ph": "pH",
    "battery": "%",
    "plato": "°P",
    "velocity": "points/day",
    "attenuation": "%",
    "abv": "% ABV",
}

# What a real reading can be; anything outside is a broken sensor or a unit mix-up.
RANGES: dict[Metric, tuple[float, float]] = {
    "gravity": (0.980, 1.200),
    "temperature": (-20.0, 110.0),
    "ph": (0.0, 14.0),
    "battery": (0.0, 100.0),
}
PLATO_RANGE = (-5.0, 50.0)

# Payload times may be a little ahead (clock drift) or days behind (a device that
# buffered readings while offline); beyond that the time is not believed.
FUTURE_TOLERANCE = timedelta(minutes=10)
PAST_HORIZON = timedelta(days=7)


class Reading(msgspec.Struct, frozen=True, kw_only=True):
    """One reading, normalised: SG, °C, pH, battery in percent."""

    at: datetime
    gravity: float | None = None
    temperature: float | None = None
    ph: float | None = None
    battery: float | None = None
    # The interval the device says it reports at, in seconds (offline detection).
    interval_s: int | None = None

    def value(self, metric: Metric) -> float | None:
        value: float | None = getattr(self, metric)
        return value


class StoredReading(msgspec.Struct, frozen=True, kw_only=True):
    """A minute bucket as stored: the mean of what arrived in that minute."""

    at: datetime
    sensor_id: str
    count: int
    values: dict[str, float]


class Bucket(msgspec.Struct, frozen=True):
    start: datetime
    min: float
    avg: float
    max: float
    count: int


# --- units -----------------------------------------------------------------------------


def fahrenheit_to_celsius(value: float) -> float:
    return (value - 32.0) * 5.0 / 9.0


def kelvin_to_celsius(value: float) -> float:
    return value - 273.15


def celsius(value: float, unit: str) -> float:
    """°C from a value in C, F or K (case-insensitive, a leading ° allowed)."""
    normalised = unit.strip().lstrip("°").upper()[:1]
    if normalised == "C":
        return value
    if normalised == "F":
        return fahrenheit_to_celsius(value)
    if normalised == "K":
        return kelvin_to_celsius(value)
    raise InvalidInput("temp_unit", f"Unknown temperature unit {unit!r}: use C, F or K.")


def plato_to_sg(plato: float) -> float:
    """ASBC: SG = 1 + P / (258.6 - (P / 258.2) * 227.1)."""
    _check("plato", plato, PLATO_RANGE)
    return 1.0 + plato / (258.6 - (plato / 258.2) * 227.1)


def sg_to_plato(sg: float) -> float:
    """ASBC cubic, the inverse of `plato_to_sg` to within 0.02 °P over brewing range."""
    return -616.868 + 1111.14 * sg - 630.272 * sg**2 + 135.997 * sg**3


def gravity_sg(value: float, unit: str) -> float:
    """SG from a value in SG (`G`, `SG`) or degrees Plato/Brix (`P`, `°P`, `Bx`)."""
    normalised = unit.strip().lstrip("°").upper()
    if normalised in {"G", "SG"}:
        return value
    if normalised in {"P", "PLATO", "BX", "BRIX"}:
        return plato_to_sg(value)
    raise InvalidInput("gravity_unit", f"Unknown gravity unit {unit!r}: use G, P or Bx.")


def volts_to_percent(volts: float) -> float:
    """An 18650 cell as iSpindel and GravityMon use it: 3.0 V empty, 4.2 V full."""
    return max(0.0, min(100.0, (volts - 3.0) / 1.2 * 100.0))


# --- checks ----------------------------------------------------------------------------


def _check(field: str, value: float, bounds: tuple[float, float]) -> None:
    low, high = bounds
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidInput(field, f"{field} {value!r} is outside {low} to {high}.")


def check_reading(reading: Reading, now: datetime) -> Reading:
    """Range-check every value and the time; a reading must carry at least one value."""
    present = [m for m in METRICS if reading.value(m) is not None]
    if not [m for m in present if m != "battery"]:
        raise InvalidInput("body", "The payload holds no gravity, temperature or pH value.")
    for metric in present:
        value = reading.value(metric)
        assert value is not None
        _check(metric, value, RANGES[metric])
    if reading.at > now + FUTURE_TOLERANCE:
        raise InvalidInput("at", "The reading's time is in the future.")
    if reading.at < now - PAST_HORIZON:
        raise InvalidInput("at", "The reading is more than 7 days old.")
    if reading.interval_s is not None and not 1 <= reading.interval_s <= 7 * 86400:
        raise InvalidInput("interval", "interval must be between 1 s and 7 days.")
    return reading


# --- buckets ---------------------------------------------------------------------------


def minute_of(at: datetime) -> datetime:
    """The one-minute bucket a reading falls in (readings faster than that merge)."""
    return at.astimezone(UTC).replace(second=0, microsecond=0)


def seconds_to_next_minute(now: datetime) -> int:
    """For Retry-After when a bucket is full: the next minute opens a new one."""
    return max(1, 60 - now.astimezone(UTC).second)


# --- series ----------------------------------------------------------------------------


def downsample(
    points: Sequence[tuple[datetime, float]], start: datetime, end: datetime, n: int
) -> list[Bucket]:
    """At most `n` equal-width time buckets over [start, end], each with the min, mean
    and max of the points in it; empty buckets are left out. Min and max are the raw
    extremes, so a spike survives downsampling (what a chart of a ferment must show)."""
    if n < 1:
        raise InvalidInput("points", "points must be at least 1.")
    span = max((end - start).total_seconds(), 1.0)
    width = span / n
    sums: dict[int, list[float]] = {}
    for at, value in points:
        index = min(n - 1, max(0, int((at - start).total_seconds() // width)))
        acc = sums.get(index)
        if acc is None:
            sums[index] = [value, value, value, 1.0]
        else:
            acc[0] = min(acc[0], value)
            acc[1] += value
            acc[2] = max(acc[2], value)
            acc[3] += 1
    return [
        Bucket(
            start=start + timedelta(seconds=index * width),
            min=acc[0],
            avg=acc[1] / acc[3],
            max=acc[2],
            count=int(acc[3]),
        )
        for index, acc in sorted(sums.items())
    ]


def derive(
    metric: SeriesMetric, gravity: Sequence[tuple[datetime, float]]
) -> list[tuple[datetime, float]]:
    """Derived series from gravity readings in time order.

    velocity: gravity points (0.001 SG) lost per day, between consecutive readings at
    least an hour apart (closer ones are mostly sensor noise); attenuation and ABV are
    apparent, from the first reading as original gravity (ABV = (OG - SG) x 131.25)."""
    if not gravity:
        return []
    if metric == "plato":
        return [(at, sg_to_plato(sg)) for at, sg in gravity]
    original = gravity[0][1]
    if metric == "attenuation":
        if original <= 1.0:
            return []
        return [(at, (original - sg) / (original - 1.0) * 100.0) for at, sg in gravity]
    if metric == "abv":
        return [(at, (original - sg) * 131.25) for at, sg in gravity]
    if metric == "velocity":
        derived: list[tuple[datetime, float]] = []
        last_at, last_sg = gravity[0]
        for at, sg in gravity[1:]:
            hours = (at - last_at).total_seconds() / 3600.0
            if hours >= 1.0:
                derived.append((at, (last_sg - sg) * 1000.0 / hours * 24.0))
                last_at, last_sg = at, sg
        return derived
    raise InvalidInput("metric", f"{metric} is not a derived metric.")


def base_metric(metric: SeriesMetric) -> Metric:
    """The stored metric a series is read from."""
    return "gravity" if metric in get_args(DerivedMetric) else metric  # type: ignore[return-value]


def merge_sorted(*series: Iterable[tuple[datetime, float]]) -> list[tuple[datetime, float]]:
    merged = [point for points in series for point in points]
    merged.sort(key=lambda point: point[0])
    return merged
