"""The health check's body."""

from __future__ import annotations

from app.api.schemas.base import Out


class Health(Out):
    status: str
