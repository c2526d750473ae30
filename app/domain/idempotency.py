"""Retry-safe creates: a client-chosen key names one request; repeating the request
with the key answers what the first one did, without a second write."""

from __future__ import annotations

import hashlib

import msgspec


class Idempotency(msgspec.Struct, frozen=True):
    """The client's key and a fingerprint of the request it names (method, path, body):
    the same key with another fingerprint is a client error, not a replay."""

    key: str
    fingerprint: str


def fingerprint(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()
