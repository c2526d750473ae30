"""Opaque pagination cursors: the last key DynamoDB evaluated, without the partition.

The partition key is never put in a cursor; it is rebuilt from the caller's identity,
so a cursor cannot reach into another user's data, and a tampered one only fails.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

import msgspec

from app.domain.errors import InvalidCursor

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(dict[str, str])
_MAX_CURSOR_LENGTH = 512


def encode_cursor(last_key: Mapping[str, Any], fields: tuple[str, ...]) -> str:
    payload = {name: str(last_key[name]["S"]) for name in fields}
    return base64.urlsafe_b64encode(_encoder.encode(payload)).decode().rstrip("=")


def decode_cursor(cursor: str, fields: tuple[str, ...]) -> dict[str, str]:
    if len(cursor) > _MAX_CURSOR_LENGTH:
        raise InvalidCursor("The cursor is not one this API issued.")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = _decoder.decode(raw)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise InvalidCursor("The cursor is not one this API issued.") from None
    if set(payload) != set(fields):
        raise InvalidCursor("The cursor is not one this API issued.")
    return payload
