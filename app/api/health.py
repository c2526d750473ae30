"""Liveness for load balancers and the compose healthcheck; no AWS call, no auth."""

from litestar import get

from app.api.openapi import contract
from app.api.schemas.health import Health


@get("/health", operation_id="health", tags=["health"], sync_to_thread=False, **contract())
def health() -> Health:
    return Health(status="ok")
