"""What devices post, detected from the body and content type, turned into a Reading.

Formats (their fields as the devices' own documentation names them):

| format      | recognised by                                 | units                        |
|-------------|-----------------------------------------------|------------------------------|
| tilt-form   | a form body with `SG` or `Timepoint`          | Temp °F, or `?temp_unit=C`   |
| gravitymon  | JSON with `angle` and `gravity-unit`,         | `temp_units`, `gravity-unit` |
|             |   `corr-gravity` or `run-time`                |   G or P                     |
| ispindel    | JSON with `angle` (and `ID`, `temp_units`)    | `temp_units`; gravity SG, or |
|             |                                               |   °P when above 2            |
| rapt        | JSON with `device_id` and `created_date`      | °C, SG (or SG x 1000), %     |
|             |   (our documented webhook template)           |                              |
| stream      | JSON with `temp`, `temp_unit`, `gravity_unit` | `temp_unit` C/F/K,           |
|             |   or `device_source` (Brewfather Custom       |   `gravity_unit` G/P         |
|             |   Stream, Brewer's Friend, TiltBridge)        |                              |
| generic     | JSON whose keys are all of `gravity`, `plato`,| named by the key             |
|             |   `brix`, `ph`, `temperatureC`/`F`,           |                              |
|             |   `battery`, `at`, `interval`                 |                              |

Devices send fields we do not use (RSSI, angle, comments); those are ignored, except
in the generic format, which is ours and refuses unknown keys so a typo is reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import parse_qs

import msgspec

from app.domain.errors import InvalidInput
from app.domain.readings import Reading, celsius, gravity_sg, volts_to_percent

Format = Literal["ispindel", "gravitymon", "stream", "tilt-form", "rapt", "generic"]

# No device sends more than a few hundred bytes; the ingest routes answer 413 beyond.
MAX_PAYLOAD_BYTES = 4096
GENERIC_KEYS = frozenset(
    {"gravity", "plato", "brix", "ph", "temperatureC", "temperatureF", "battery", "at", "interval"}
)
STREAM_KEYS = frozenset({"temp", "temp_unit", "gravity_unit", "device_source", "aux_temp"})
# Excel's day zero (serial 1 = 1900-01-01, with Lotus's phantom 1900-02-29).
EXCEL_EPOCH = datetime(1899, 12, 30, tzinfo=UTC)
# A Tilt's Timepoint is the phone's wall clock in an unknown zone: trusted only when
# it agrees with ours, so a phone in another zone cannot shift readings by hours.
TIMEPOINT_TOLERANCE = timedelta(minutes=10)

_json = msgspec.json.Decoder()


class Parsed(msgspec.Struct, frozen=True):
    format: Format
    reading: Reading


def parse_payload(
    body: bytes, content_type: str, received_at: datetime, form_temp_unit: str = "F"
) -> Parsed:
    """The reading in `body`; InvalidInput (400) for anything unreadable or unknown.
    `form_temp_unit` is the unit of a Tilt form's Temp (the URL's `?temp_unit=`)."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        return Parsed("tilt-form", _tilt_form(body, received_at, form_temp_unit))
    try:
        data = _json.decode(body)
    except msgspec.DecodeError:
        raise InvalidInput("body", "The body is neither JSON nor a Tilt form post.") from None
    if not isinstance(data, dict):
        raise InvalidInput("body", "The body must be a JSON object.")
    if "angle" in data:
        if {"gravity-unit", "corr-gravity", "run-time"} & data.keys():
            return Parsed("gravitymon", _gravitymon(data, received_at))
        return Parsed("ispindel", _ispindel(data, received_at))
    if "device_id" in data and "created_date" in data:
        return Parsed("rapt", _rapt(data, received_at))
    if data.keys() and data.keys() <= GENERIC_KEYS:
        return Parsed("generic", _generic(data, received_at))
    if STREAM_KEYS & data.keys():
        return Parsed("stream", _stream(data, received_at))
    raise InvalidInput(
        "body",
        "Unrecognised payload: expected iSpindel, GravityMon, RAPT, Tilt, "
        "Brewfather/Brewer's Friend stream or the generic JSON (see the README).",
    )


# --- per format -------------------------------------------------------------------------


def _ispindel(data: Mapping[str, Any], at: datetime) -> Reading:
    gravity = _number(data, "gravity")
    unit = _text(data, "temp_units") or "C"
    temperature = _number(data, "temperature")
    battery = _number(data, "battery")
    return Reading(
        at=at,
        # iSpindel sends no gravity unit: its polynomial yields SG or °P; SG is never > 2.
        gravity=None if gravity is None else gravity_sg(gravity, "P" if gravity > 2 else "G"),
        temperature=None if temperature is None else celsius(temperature, unit),
        battery=None if battery is None else volts_to_percent(battery),
        interval_s=_interval(data, "interval"),
    )


def _gravitymon(data: Mapping[str, Any], at: datetime) -> Reading:
    base = _ispindel(data, at)
    corrected = _number(data, "corr-gravity")
    gravity = corrected if corrected is not None else _number(data, "gravity")
    unit = _text(data, "gravity-unit") or ("P" if gravity is not None and gravity > 2 else "G")
    return msgspec.structs.replace(
        base, gravity=None if gravity is None else gravity_sg(gravity, unit)
    )


def _stream(data: Mapping[str, Any], at: datetime) -> Reading:
    temperature = _number(data, "temp")
    if temperature is None:
        temperature = _number(data, "ext_temp")
    if temperature is None:
        temperature = _number(data, "aux_temp")
    gravity = _number(data, "gravity")
    battery = _number(data, "battery")
    return Reading(
        at=at,
        temperature=None if temperature is None else celsius(temperature, _unit(data, "temp_unit")),
        gravity=None
        if gravity is None
        else gravity_sg(gravity, _text(data, "gravity_unit") or "G"),
        ph=_number(data, "ph"),
        # Brewfather documents battery as volts for hydrometers; a value above 5 is %.
        battery=None if battery is None else battery if battery > 5 else volts_to_percent(battery),
    )


def _rapt(data: Mapping[str, Any], received_at: datetime) -> Reading:
    gravity = _number(data, "gravity")
    if gravity is not None and gravity > 500:  # the Pill's own display unit: SG x 1000
        gravity = gravity / 1000.0
    return Reading(
        at=_timestamp(data, "created_date") or received_at,
        gravity=gravity,
        temperature=_number(data, "temperature"),
        battery=_number(data, "battery"),
    )


def _generic(data: Mapping[str, Any], received_at: datetime) -> Reading:
    # An empty string is a missing value, as `_number` reads it (Schemathesis found the
    # 500 an `assert` made of `"temperatureF": ""`).
    gravities = [k for k in ("gravity", "plato", "brix") if _number(data, k) is not None]
    temperatures = [k for k in ("temperatureC", "temperatureF") if _number(data, k) is not None]
    if len(gravities) > 1:
        raise InvalidInput(gravities[1], "Send one of gravity, plato or brix, not several.")
    if len(temperatures) > 1:
        raise InvalidInput("temperatureF", "Send temperatureC or temperatureF, not both.")
    gravity: float | None = None
    if gravities:
        value = _number(data, gravities[0])
        assert value is not None
        gravity = value if gravities[0] == "gravity" else gravity_sg(value, "P")
    temperature: float | None = None
    if temperatures:
        value = _number(data, temperatures[0])
        assert value is not None
        temperature = value if temperatures[0] == "temperatureC" else celsius(value, "F")
    return Reading(
        at=_timestamp(data, "at") or received_at,
        gravity=gravity,
        temperature=temperature,
        ph=_number(data, "ph"),
        battery=_number(data, "battery"),
        interval_s=_interval(data, "interval"),
    )


def _tilt_form(body: bytes, received_at: datetime, temp_unit: str) -> Reading:
    try:
        form = parse_qs(body.decode("utf-8"), strict_parsing=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("body", "The form body cannot be read.") from None
    fields = {key: values[-1] for key, values in form.items()}
    if "SG" not in fields and "Timepoint" not in fields:
        raise InvalidInput("body", "A Tilt form post carries SG and Timepoint.")
    gravity = _form_number(fields, "SG")
    temperature = _form_number(fields, "Temp")
    at = received_at
    timepoint = _form_number(fields, "Timepoint")
    if timepoint is not None:
        stamped = excel_serial_to_datetime(timepoint)
        if abs(stamped - received_at) <= TIMEPOINT_TOLERANCE:
            at = stamped
    return Reading(
        at=at,
        gravity=gravity,
        # The Tilt app and TiltPi post Temp in their display unit, °F unless switched:
        # the form carries no unit, so the ingest URL says (`?temp_unit=C`).
        temperature=None if temperature is None else celsius(temperature, temp_unit),
    )


def excel_serial_to_datetime(serial: float) -> datetime:
    """An Excel serial date (days since 1899-12-30, fraction = time of day), in UTC."""
    if not 1.0 <= serial <= 2958465.0:
        raise InvalidInput("Timepoint", "Timepoint is not an Excel serial date.")
    return EXCEL_EPOCH + timedelta(days=serial)


# --- field readers ---------------------------------------------------------------------


def _number(data: Mapping[str, Any], key: str) -> float | None:
    """Devices send numbers as JSON numbers or strings (RAPT templates, Node-RED)."""
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidInput(key, f"{key} must be a number.")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    raise InvalidInput(key, f"{key} must be a number.")


def _form_number(fields: Mapping[str, str], key: str) -> float | None:
    return _number(fields, key)


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(key, f"{key} must be a string.")
    return value


def _unit(data: Mapping[str, Any], key: str) -> str:
    return _text(data, key) or "C"


def _interval(data: Mapping[str, Any], key: str) -> int | None:
    value = _number(data, key)
    return None if value is None else int(value)


def _timestamp(data: Mapping[str, Any], key: str) -> datetime | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(key, f"{key} must be an RFC 3339 time with a UTC offset.")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(key, f"{key} must be an RFC 3339 time with a UTC offset.") from None
    if parsed.tzinfo is None:
        raise InvalidInput(key, f"{key} needs a UTC offset (e.g. Z).")
    return parsed.astimezone(UTC)
