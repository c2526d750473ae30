"""Liveness for load balancers and the compose healthcheck; no AWS call, no auth."""

from __future__ import annotations

from litestar import get

from app.api.schemas.health import Health


@get("/health", operation_id="health", tags=["health"], sync_to_thread=False)
def health() -> Health:
    return Health(status="ok")
