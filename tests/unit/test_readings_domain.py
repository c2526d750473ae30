"""The pure side of readings: payload formats, units, ranges, downsampling, alerts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.alerts import AlertState, evaluate, silent_sensors
from app.domain.device_formats import excel_serial_to_datetime, parse_payload
from app.domain.errors import InvalidInput
from app.domain.readings import (
    Reading,
    celsius,
    check_reading,
    derive,
    downsample,
    plato_to_sg,
    sg_to_plato,
)

NOW = datetime(2026, 11, 26, 12, 0, 30, tzinfo=UTC)
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def parse(payload: object, content_type: str = JSON) -> tuple[str, Reading]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    parsed = parse_payload(body, content_type, NOW)
    return parsed.format, parsed.reading


def test_ispindel_in_fahrenheit_with_plato_polynomial() -> None:
    fmt, reading = parse(
        {
            "name": "iSpindel000",
            "ID": 1234567,
            "token": "x",
            "angle": 61.2,
            "temperature": 68.0,
            "temp_units": "F",
            "battery": 3.9,
            "gravity": 12.0,
            "interval": 900,
            "RSSI": -71,
        }
    )
    assert fmt == "ispindel"
    assert reading.temperature == pytest.approx(20.0)
    assert reading.gravity == pytest.approx(1.0484, abs=0.0005)
    assert reading.battery == pytest.approx(75.0)
    assert reading.interval_s == 900
    assert reading.at == NOW


def test_gravitymon_prefers_the_corrected_gravity() -> None:
    fmt, reading = parse(
        {
            "name": "gm",
            "ID": "abc",
            "angle": 30.1,
            "temperature": 293.15,
            "temp_units": "K",
            "gravity": 1.050,
            "corr-gravity": 1.048,
            "gravity-unit": "G",
            "run-time": 2.5,
            "battery": 4.2,
        }
    )
    assert fmt == "gravitymon"
    assert reading.gravity == pytest.approx(1.048)
    assert reading.temperature == pytest.approx(20.0)
    assert reading.battery == pytest.approx(100.0)


def test_gravitymon_in_plato() -> None:
    _, reading = parse({"angle": 40, "gravity": 10.0, "gravity-unit": "P", "temperature": 20})
    assert reading.gravity == pytest.approx(plato_to_sg(10.0))


@pytest.mark.parametrize("source", ["Brewfather stream", "TiltBridge"])
def test_stream_json_converts_units(source: str) -> None:
    fmt, reading = parse(
        {
            "name": "Red",
            "temp": 68,
            "aux_temp": 65,
            "temp_unit": "F",
            "gravity": 12,
            "gravity_unit": "P",
            "ph": 3.4,
            "comment": "",
            "beer": "",
            "device_source": source,
        }
    )
    assert fmt == "stream"
    assert reading.temperature == pytest.approx(20.0)
    assert reading.gravity == pytest.approx(plato_to_sg(12))
    assert reading.ph == 3.4


def test_tilt_form_post_trusts_a_timepoint_that_agrees_with_the_clock() -> None:
    serial = (NOW - datetime(1899, 12, 30, tzinfo=UTC)).total_seconds() / 86400 - 60 / 86400
    body = f"Timepoint={serial}&Temp=68.0&SG=1.050&Beer=Kombucha&Color=RED&Comment=".encode()
    fmt, reading = parse(body, FORM)
    assert fmt == "tilt-form"
    assert reading.gravity == 1.050
    assert reading.temperature == pytest.approx(20.0)
    assert abs(reading.at - (NOW - timedelta(minutes=1))) < timedelta(seconds=1)


def test_tilt_timepoint_from_a_phone_in_another_zone_is_not_believed() -> None:
    serial = (NOW - datetime(1899, 12, 30, tzinfo=UTC)).total_seconds() / 86400 + 5 / 24
    _, reading = parse(f"Timepoint={serial}&Temp=20&SG=1.01".encode(), FORM)
    assert reading.at == NOW


def test_excel_serial_dates() -> None:
    assert excel_serial_to_datetime(45000.5) == datetime(2023, 3, 15, 12, 0, tzinfo=UTC)
    with pytest.raises(InvalidInput):
        excel_serial_to_datetime(-3)


def test_rapt_template_with_string_values_and_sg_times_1000() -> None:
    fmt, reading = parse(
        {
            "device_id": "abc",
            "device_name": "Pill",
            "temperature": "21.5",
            "gravity": "1012.5",
            "battery": "87",
            "rssi": "-60",
            "created_date": "2026-11-26T11:58:00Z",
        }
    )
    assert fmt == "rapt"
    assert reading.gravity == pytest.approx(1.0125)
    assert reading.temperature == 21.5
    assert reading.battery == 87
    assert reading.at == datetime(2026, 11, 26, 11, 58, tzinfo=UTC)


def test_generic_json() -> None:
    fmt, reading = parse({"brix": 8.0, "ph": 3.1, "temperatureF": 77, "at": "2026-11-26T12:00:00Z"})
    assert fmt == "generic"
    assert reading.gravity == pytest.approx(plato_to_sg(8.0))
    assert reading.temperature == pytest.approx(25.0)
    assert reading.ph == 3.1


def test_generic_json_reads_an_empty_string_as_no_value() -> None:
    fmt, reading = parse({"ph": 3.1, "temperatureF": "", "gravity": "", "plato": 12})
    assert fmt == "generic"
    assert reading.temperature is None
    assert reading.gravity == pytest.approx(plato_to_sg(12.0))


def test_generic_json_with_nothing_but_empty_values_is_refused() -> None:
    _, reading = parse({"temperatureF": "", "at": "2026-11-26T12:00:00Z"})
    with pytest.raises(InvalidInput):
        check_reading(reading, NOW)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"colour": "red"}',
        b'{"gravity": 1.05, "plato": 12}',
        b'{"temp": "hot", "temp_unit": "C"}',
        b'{"temp": 20, "temp_unit": "R"}',
        b'{"ph": 3, "at": "yesterday"}',
        b'{"ph": 3, "at": "2026-11-26T12:00:00"}',
    ],
)
def test_malformed_payloads_are_refused(body: bytes) -> None:
    with pytest.raises(InvalidInput):
        parse(body)


@pytest.mark.parametrize(
    "reading",
    [
        Reading(at=NOW, gravity=1.5),
        Reading(at=NOW, temperature=150.0),
        Reading(at=NOW, ph=15.0),
        Reading(at=NOW, battery=50.0),
        Reading(at=NOW + timedelta(hours=1), ph=3.0),
        Reading(at=NOW - timedelta(days=8), ph=3.0),
        Reading(at=NOW, gravity=float("nan")),
    ],
)
def test_out_of_range_readings_are_refused(reading: Reading) -> None:
    with pytest.raises(InvalidInput):
        check_reading(reading, NOW)


def test_unit_conversions() -> None:
    assert celsius(212, "°F") == pytest.approx(100)
    assert celsius(0, "k") == pytest.approx(-273.15)
    for plato in (0.0, 5.0, 12.0, 20.0):
        assert sg_to_plato(plato_to_sg(plato)) == pytest.approx(plato, abs=0.05)
    assert plato_to_sg(12.0) == pytest.approx(1.0484, abs=0.0003)


def test_downsample_keeps_the_raw_extremes() -> None:
    start = NOW
    points = [(start + timedelta(minutes=i), float(i % 17)) for i in range(30_000)]
    buckets = downsample(points, start, start + timedelta(minutes=30_000), 300)
    assert len(buckets) <= 300
    assert sum(b.count for b in buckets) == 30_000
    assert min(b.min for b in buckets) == 0.0
    assert max(b.max for b in buckets) == 16.0
    for bucket in buckets:
        inside = [
            v for at, v in points if bucket.start <= at < bucket.start + timedelta(minutes=100)
        ]
        assert bucket.min == min(inside)
        assert bucket.max == max(inside)


def test_derived_series_from_gravity() -> None:
    gravity = [(NOW + timedelta(days=d), 1.050 - 0.010 * d) for d in range(4)]
    assert [round(v, 3) for _, v in derive("abv", gravity)] == [0, 1.313, 2.625, 3.938]
    assert [round(v, 1) for _, v in derive("attenuation", gravity)] == [0, 20, 40, 60]
    assert [round(v, 3) for _, v in derive("velocity", gravity)] == [10.0, 10.0, 10.0]


def ferment_state(kind: str = "kombucha") -> AlertState:
    return AlertState(kind=kind, started_at=NOW)  # type: ignore[arg-type]


def test_gravity_stable_fires_once_after_the_window() -> None:
    state = ferment_state("water_kefir")
    fired_at = []
    for hour in range(0, 120):
        gravity = max(1.010, 1.050 - hour * 0.001)
        for alert in evaluate(state, "s", Reading(at=NOW + timedelta(hours=hour), gravity=gravity)):
            fired_at.append((hour, alert.kind))
    # Flat from hour 40 (1.010); 48 h later, at hour 88, exactly once.
    assert fired_at == [(88, "gravity_stable")]


def test_ph_target_once_per_episode_and_again_after_it_clears() -> None:
    state = ferment_state()
    series = [3.6, 3.3, 3.2, 3.1, 3.15, 3.25, 3.4, 3.2, 3.0]
    fired = [
        i
        for i, ph in enumerate(series)
        for a in evaluate(state, "s", Reading(at=NOW + timedelta(hours=i), ph=ph))
        if a.kind == "ph_target"
    ]
    assert fired == [2, 7]


def test_kombucha_safety_after_seven_days() -> None:
    state = ferment_state()
    early = evaluate(state, "s", Reading(at=NOW + timedelta(days=6), ph=5.0))
    late = evaluate(state, "s", Reading(at=NOW + timedelta(days=7, hours=1), ph=4.8))
    again = evaluate(state, "s", Reading(at=NOW + timedelta(days=7, hours=2), ph=4.7))
    assert [a.kind for a in early] == []
    assert [a.kind for a in late] == ["ph_safety"]
    assert again == []


def test_temperature_out_of_range_for_more_than_30_minutes() -> None:
    state = ferment_state()
    temps = [25, 31, 31, 31, 31, 25, 31]
    fired = [
        i
        for i, t in enumerate(temps)
        for a in evaluate(state, "s", Reading(at=NOW + timedelta(minutes=15 * i), temperature=t))
    ]
    assert fired == [4]


def test_offline_after_three_intervals_once_until_it_reports() -> None:
    state = ferment_state()
    evaluate(state, "s", Reading(at=NOW, ph=4.0, interval_s=600))
    assert state.silence_deadline() == NOW + timedelta(minutes=30)
    assert silent_sensors(state, NOW + timedelta(minutes=29)) == []
    assert [a.kind for a in silent_sensors(state, NOW + timedelta(minutes=30))] == [
        "sensor_offline"
    ]
    assert silent_sensors(state, NOW + timedelta(hours=5)) == []
    assert state.silence_deadline() is None
    evaluate(state, "s", Reading(at=NOW + timedelta(hours=6), ph=4.0))
    assert state.silence_deadline() == NOW + timedelta(hours=6, minutes=30)
