"""Lambda entry point of the `export` function: a user's data as CSV.

Its own function for its memory and timeout; its app carries the export route only.
"""

from __future__ import annotations

from mangum import Mangum

from app.main import create_app

# Mangum types its ASGI parameter loosely; Litestar is a complete ASGI app.
handler = Mangum(create_app(groups=["export"]), lifespan="off")  # type: ignore[arg-type]
