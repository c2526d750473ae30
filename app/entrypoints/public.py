"""Lambda entry point of the `public` function: shared batch pages and app links.

The function behind a QR code scan, hit cold by strangers first: its app carries the
public routes only, so it imports no token verifier, scheduler, push, export or QR
code (`tests/infra/test_cold_start.py` holds it to that).
"""

from __future__ import annotations

from mangum import Mangum

from app.main import create_app

# Mangum types its ASGI parameter loosely; Litestar is a complete ASGI app.
handler = Mangum(create_app(groups=["public"]), lifespan="off")  # type: ignore[arg-type]
