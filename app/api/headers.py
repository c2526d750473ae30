"""Request headers the app sends besides the token."""

from __future__ import annotations

from typing import Annotated

from litestar.params import HeaderParameter

from app.domain.idempotency import Idempotency, fingerprint
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


IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="idempotency-key",
        min_length=1,
        max_length=128,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        required=False,
        description="A key the client makes up per create (a UUID, say). Repeating the "
        "request with it answers with the resource the first one created, without a "
        "second write; the same key with another request answers 422. Kept 24 hours.",
    ),
]


def idempotency(key: str | None, route: str, body: bytes) -> Idempotency | None:
    """The key and a fingerprint of the request it names (`route`: method and path;
    `body`: the validated body, re-encoded, so spacing and field order do not count)."""
    return None if key is None else Idempotency(key, fingerprint(route, body))
