"""What the ingest route answers a device (devices mostly look at the status only)."""

from __future__ import annotations

from datetime import datetime

from app.api.schemas.base import Out


class IngestedOut(Out):
    format: str
    at: datetime
    gravity: float | None
    temperature_c: float | None
    ph: float | None
    battery: float | None
    alerts: list[str]
