"""Correlation ids and the one summary log line per request.

Plain ASGI rather than a Litestar middleware class: it must wrap everything,
including errors raised before routing, and it costs one function call per request.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from app.logs import get_logger

CORRELATION_HEADER = "x-correlation-id"
_HEADER_BYTES = CORRELATION_HEADER.encode()
USER_STATE_KEY = "principal_sub"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# An ingest URL carries a sensor's secret token: never written to a log.
_SECRET_PATH = re.compile(r"^(/ingest/)[^/]+")

log = get_logger("app.request")


def correlation_id_for(scope: Scope) -> str:
    """The caller's id when it is safe to echo, else API Gateway's request id, else new."""
    for name, value in scope.get("headers", ()):
        if name == _HEADER_BYTES:
            candidate = value.decode("latin-1")
            if _SAFE_ID.match(candidate):
                return candidate
            break
    event: Any = scope.get("aws.event")
    if isinstance(event, dict):
        request_id = event.get("requestContext", {}).get("requestId")
        if isinstance(request_id, str) and _SAFE_ID.match(request_id):
            return request_id
    return uuid.uuid4().hex


def request_logging(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        correlation_id = correlation_id_for(scope)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(correlation_id=correlation_id)
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                headers.append((_HEADER_BYTES, correlation_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            user = scope.get("state", {}).get(USER_STATE_KEY)
            log.info(
                "request",
                **({"user": user} if user else {}),
                method=scope.get("method"),
                path=_SECRET_PATH.sub(r"\1[token]", scope["path"]),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
            structlog.contextvars.clear_contextvars()

    return middleware
