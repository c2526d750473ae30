"""What the ingest routes take and answer (devices mostly look at the status only).

The body is read raw, its format detected from its keys (app/domain/device_formats.py),
so there is no `data` parameter to generate its schema from: `INGEST_BODY` states it,
from the same ranges the domain checks.
"""

from __future__ import annotations

from datetime import datetime

from litestar.openapi.spec import OpenAPIMediaType, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType

from app.api.schemas.base import Out
from app.domain.device_formats import GENERIC_KEYS
from app.domain.readings import RANGES


class IngestedOut(Out):
    """The reading as accepted, normalised. It is filed (series, alert rules) by the
    table stream's consumer right after: alerts it fires arrive as pushes and events."""

    format: str
    at: datetime
    gravity: float | None
    temperature_c: float | None
    ph: float | None
    battery: float | None


# Devices send numbers as JSON numbers or as strings (RAPT templates, Node-RED).
_NUMBER = Schema(
    one_of=[
        Schema(type=OpenAPIType.NUMBER),
        Schema(type=OpenAPIType.STRING),
        Schema(type=OpenAPIType.NULL),
    ]
)

INGEST_BODY = RequestBody(
    required=True,
    description=(
        "One reading, in a device's own format, detected from its keys: iSpindel, "
        "GravityMon, RAPT, Brewfather or Brewer's Friend stream, TiltBridge (JSON), a Tilt "
        "form post, or the generic JSON below (README, Sensors). It needs at least one of "
        "gravity, temperature or pH, each in range (gravity "
        f"{RANGES['gravity'][0]}-{RANGES['gravity'][1]} SG, temperature "
        f"{RANGES['temperature'][0]:g}-{RANGES['temperature'][1]:g} °C, pH 0-14), a time "
        "within the last 7 days, and one gravity and one temperature field at most. "
        "Fields a format does not use are ignored; the generic format refuses them."
    ),
    content={
        "application/json": OpenAPIMediaType(
            schema=Schema(
                type=OpenAPIType.OBJECT,
                min_properties=1,
                properties={
                    **{key: _NUMBER for key in sorted(GENERIC_KEYS - {"at"})},
                    "at": Schema(
                        one_of=[
                            Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME),
                            Schema(type=OpenAPIType.NULL),
                        ]
                    ),
                },
            )
        ),
        "application/x-www-form-urlencoded": OpenAPIMediaType(
            schema=Schema(
                type=OpenAPIType.OBJECT,
                description="A Tilt form post: Temp in °F unless `?temp_unit=` says otherwise.",
                properties={
                    "SG": Schema(type=OpenAPIType.STRING),
                    "Temp": Schema(type=OpenAPIType.STRING),
                    "Timepoint": Schema(type=OpenAPIType.STRING),
                },
                required=["SG"],
            )
        ),
    },
)
