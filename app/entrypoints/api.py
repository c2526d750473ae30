"""Lambda entry point for the HTTP API: Mangum around the Litestar app.

The app and its clients are built at import, i.e. once per cold start; lifespan is
off because Mangum would otherwise run it on every invocation.
"""

from __future__ import annotations

from mangum import Mangum

from app.main import create_app

# Mangum types its ASGI parameter loosely; Litestar is a complete ASGI app.
handler = Mangum(create_app(), lifespan="off")  # type: ignore[arg-type]
