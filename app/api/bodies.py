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
        _decode_strictly(body, data.annotation)
    except msgspec.ValidationError as exc:
        message, _, where = str(exc).partition(" - at `$")
        key = where.rstrip("`").lstrip(".") or "body"
        raise ValidationException(extra=[{"message": message, "key": key}]) from None
    except msgspec.DecodeError:
        return


# Beyond this a float has no exact integer: left as it is, an integer field refuses it.
_EXACT_INTEGERS = 2**53


def _decode_strictly(body: bytes, annotation: Any) -> None:
    """JSON Schema counts `1.0` as an integer (and the document says `integer`), msgspec's
    strict mode does not: a body refused only for that is checked again with each such
    number written as an integer. `1.5` for an integer is still refused."""
    try:
        msgspec.json.decode(body, type=annotation, strict=True)
    except msgspec.ValidationError as exc:
        if "got `float`" not in str(exc):
            raise
        plain = _integral_floats_as_ints(msgspec.json.decode(body))
        msgspec.json.decode(msgspec.json.encode(plain), type=annotation, strict=True)


def _integral_floats_as_ints(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) <= _EXACT_INTEGERS:
        return int(value)
    if isinstance(value, list):
        return [_integral_floats_as_ints(item) for item in value]
    if isinstance(value, dict):
        return {key: _integral_floats_as_ints(item) for key, item in value.items()}
    return value
