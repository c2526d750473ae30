"""JSON bodies are decoded strictly: `"version": "1"` or `"public": 1` are refused.

Litestar converts request data leniently (strings to numbers, numbers to booleans), which
the OpenAPI document does not promise and the apps must not come to rely on. This hook
decodes the body once more, strictly, against the handler's body type, before Litestar
parses it; malformed JSON and missing bodies are left to Litestar's own 400.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException


async def strict_body(request: Request[Any, Any, Any]) -> None:
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return
    body = await request.body()
    if not body:
        return
    try:
        msgspec.json.decode(body, type=data.annotation, strict=True)
    except msgspec.ValidationError as exc:
        message, _, where = str(exc).partition(" - at `$")
        key = where.rstrip("`").lstrip(".") or "body"
        raise ValidationException(extra=[{"message": message, "key": key}]) from None
    except msgspec.DecodeError:
        return
