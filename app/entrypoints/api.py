"""Lambda entry point of the `api` function: the authenticated routes but the export.

Mangum around a Litestar app of that route group alone (see `app.main`), so the
function imports and builds only what its routes need. The app and its clients are
built at import, i.e. once per cold start; lifespan is off because Mangum would
otherwise run it on every invocation.
"""

from __future__ import annotations

from mangum import Mangum

from app.main import create_app

# Mangum types its ASGI parameter loosely; Litestar is a complete ASGI app.
handler = Mangum(create_app(groups=["api"]), lifespan="off")  # type: ignore[arg-type]
