"""Lambda entry point for `POST /ingest/{token}` (and `POST /ingest` with X-API-KEY).

Its own function so devices never share capacity (or a cold start) with people, and so
its role can write readings only. Its app holds the ingest routes alone (no token
verifier, no S3, no scheduler but for receipts); built at import, once per cold start,
with lifespan off because Mangum would otherwise run it on every invocation.
"""

from __future__ import annotations

from mangum import Mangum

from app.main import create_ingest_app

# Mangum types its ASGI parameter loosely; Litestar is a complete ASGI app.
handler = Mangum(create_ingest_app(), lifespan="off")  # type: ignore[arg-type]
