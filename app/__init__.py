"""The Kefir backend.

Before any module of the package loads structlog: structlog.dev imports rich, when
installed, for pretty terminal tracebacks; rich comes with Litestar (for its CLI) and
costs ~140 ms of every Lambda cold start for nothing we use (Lambda logs are JSON
lines). It is hidden while structlog loads, here, because every import of the app
passes through this file first.
"""

import sys


def _import_structlog_without_rich() -> None:
    if "structlog" in sys.modules or "rich" in sys.modules:
        return
    sys.modules["rich"] = None  # type: ignore[assignment]
    try:
        import structlog  # noqa: F401
    finally:
        del sys.modules["rich"]


_import_structlog_without_rich()
