"""structlog set up once: JSON lines in Lambda and CI, readable console on a terminal.

Request context (correlation id, user) is bound through contextvars by the request
middleware, so every line logged while serving a request carries it.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

import structlog
from structlog.typing import EventDict, WrappedLogger

# An Expo push token, also percent-encoded as it appears in a logged path.
_PUSH_TOKEN = re.compile(r"Expo(?:nent)?PushToken(?:\[|%5B)[A-Za-z0-9_-]*(?:\]|%5D)", re.IGNORECASE)


def _device_ref(match: re.Match[str]) -> str:
    return "device:" + hashlib.sha256(match.group(0).encode()).hexdigest()[:12]


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return _PUSH_TOKEN.sub(_device_ref, value)
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v) for v in value]
    return value


def redact_push_tokens(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """A push token lets anyone holding our Expo access token push to that phone: no log
    line carries one. Whatever slips into an event (an Expo error message quoting the
    token, a path) is replaced by `device:<hash prefix>`, which still correlates."""
    return {key: _redacted(value) for key, value in event.items()}


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    """Once per process: loggers cache their configuration on first use, so configuring
    again (a second app in the same process) would leave them on the old one."""
    if structlog.is_configured():
        return
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact_push_tokens,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> structlog.typing.FilteringBoundLogger:
    logger: structlog.typing.FilteringBoundLogger = structlog.get_logger(name)
    return logger
