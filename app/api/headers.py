"""Request headers the app sends besides the token."""

from __future__ import annotations

from typing import Annotated

from litestar.params import HeaderParameter

from app.domain.profiles import TIME_ZONES, check_time_zone

DeviceZone = Annotated[
    str | None,
    HeaderParameter(
        name="x-time-zone",
        max_length=64,
        required=False,
        schema_extra={"enum": list(TIME_ZONES)},
        description="The device's IANA time zone (e.g. Europe/Berlin); reminder times are "
        "computed in it. Without it, the profile's time zone is used.",
    ),
]


def device_zone(value: str | None) -> str | None:
    """A given zone must be a real IANA name: a 400 beats reminders at the wrong hour."""
    return None if value is None else check_time_zone(value, "X-Time-Zone")
