"""structlog set up once: JSON lines in Lambda and CI, readable console on a terminal.

Request context (correlation id, user) is bound through contextvars by the request
middleware, so every line logged while serving a request carries it.
"""

from __future__ import annotations

import logging
import sys


def _import_structlog_without_rich() -> None:
    """structlog.dev imports rich, when installed, for pretty terminal tracebacks; rich
    comes with Litestar (for its CLI) and costs ~140 ms of every Lambda cold start for
    nothing we use: Lambda logs are JSON lines. Hide it while structlog loads."""
    if "structlog" in sys.modules or "rich" in sys.modules:
        return
    sys.modules["rich"] = None  # type: ignore[assignment]
    try:
        import structlog  # noqa: F401
    finally:
        del sys.modules["rich"]


_import_structlog_without_rich()

import structlog  # noqa: E402


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
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> structlog.typing.FilteringBoundLogger:
    logger: structlog.typing.FilteringBoundLogger = structlog.get_logger(name)
    return logger
