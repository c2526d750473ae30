"""ULIDs: 128-bit ids that sort by creation time, with 80 random bits.

Batch ids are ULIDs so a user's batches list newest first by key alone, and the
random part makes them unguessable. Event ids carry the time the event happened,
so events sort in the order they occurred, even when logged late.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from app.domain.errors import NotFound

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ULID_PATTERN = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def new_ulid(at: datetime) -> str:
    return ulid_from(at, secrets.randbits(80))


def ulid_from(at: datetime, random_bits: int) -> str:
    """A ULID with the given 80 low bits: for ids derived from their content."""
    millis = int(at.timestamp() * 1000)
    if not 0 <= millis < 1 << 48:
        raise ValueError("timestamp out of ULID range")
    value = (millis << 80) | (random_bits & ((1 << 80) - 1))
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def is_ulid(value: str) -> bool:
    return ULID_PATTERN.match(value) is not None


def known_id(value: str, what: str) -> str:
    """A malformed id can name nothing: it answers as any other unknown one (404), before
    any read. The one id check of the routes and the use cases."""
    if not is_ulid(value):
        raise NotFound(f"No such {what}.")
    return value
