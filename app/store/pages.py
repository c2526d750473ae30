"""Pages of a listing and their opaque cursors: the last key DynamoDB evaluated,
without the partition.

The partition key is never put in a cursor; it is rebuilt from the caller's identity,
so a cursor cannot reach into another user's data, and a tampered one only fails.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

import msgspec

from app.domain.errors import InvalidCursor
from app.domain.ids import is_ulid
from app.store.items import Item, s

T = TypeVar("T")

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(dict[str, str])
_MAX_CURSOR_LENGTH = 512
NOT_OURS = "The cursor is not one this API issued."


class Page(msgspec.Struct, Generic[T], frozen=True):
    items: list[T]
    next_cursor: str | None


def encode_cursor(last_key: Mapping[str, Any], fields: tuple[str, ...]) -> str:
    payload = {name: str(last_key[name]["S"]) for name in fields}
    return base64.urlsafe_b64encode(_encoder.encode(payload)).decode().rstrip("=")


def decode_cursor(cursor: str, fields: tuple[str, ...]) -> dict[str, str]:
    if len(cursor) > _MAX_CURSOR_LENGTH:
        raise InvalidCursor(NOT_OURS)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = _decoder.decode(raw)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise InvalidCursor(NOT_OURS) from None
    if set(payload) != set(fields):
        raise InvalidCursor(NOT_OURS)
    return payload


def next_cursor(response: Mapping[str, Any], fields: tuple[str, ...]) -> str | None:
    """The cursor of the page after this Query response; None on the last page."""
    last_key = response.get("LastEvaluatedKey")
    return encode_cursor(last_key, fields) if last_key else None


def start_after(cursor: str, pk: str, prefix: str) -> Item:
    """The ExclusiveStartKey of an `SK`-only cursor, which must name a ULID under `prefix`
    (an event or a photo of the batch being listed)."""
    sk = decode_cursor(cursor, ("SK",))["SK"]
    if not sk.startswith(prefix) or not is_ulid(sk[len(prefix) :]):
        raise InvalidCursor(NOT_OURS)
    return {"PK": s(pk), "SK": s(sk)}
