"""`Allow` on OPTIONS lists every method of the path.

Litestar 2 builds its automatic OPTIONS handler for the first handler registered on a
path and keeps it when more handlers join that path, so `OPTIONS /me` answered
`Allow: DELETE, OPTIONS` although GET and PATCH exist too (litestar-org/litestar#4169,
fixed only in Litestar 3). This wrapper sets the header from the app's own route table.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Message, Receive, Scope, Send


def allowed_methods(app: Litestar) -> dict[str, bytes]:
    """Each path template's methods, as the `Allow` value (OPTIONS included)."""
    return {
        route.path_format: ", ".join(sorted(route.methods)).encode()
        for route in app.routes
        if isinstance(route, HTTPRoute)
    }


def options_allow(app: ASGIApp, allowed: dict[str, bytes]) -> ASGIApp:
    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope.get("method") != "OPTIONS":
            await app(scope, receive, send)
            return

        async def send_with_allow(message: Message) -> None:
            template = scope.get("path_template")  # set by Litestar's router on a match
            value = allowed.get(template) if isinstance(template, str) else None
            if message["type"] == "http.response.start" and value is not None:
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"allow"]
                message = {**message, "headers": [*headers, (b"allow", value)]}
            await send(message)

        await app(scope, receive, send_with_allow)

    return wrapper
