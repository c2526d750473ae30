"""Sensors: devices that post readings into a batch with a secret ingest token.

The token is shown once, at registration; only its SHA-256 is stored, so a leaked
table (or a log line with a key in it) does not let anyone post into a batch.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Literal

import msgspec

from app.domain.batches import BatchKind
from app.domain.ids import new_ulid
from app.domain.readings import Reading

SensorStatus = Literal["active", "revoked"]

# 32 random bytes (256 bits), URL-safe: 43 characters.
TOKEN_BYTES = 32
TOKEN_LENGTH = 43


class Sensor(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    batch_id: str
    status: SensorStatus
    token_hash: str
    created_at: datetime
    updated_at: datetime
    version: int


class IngestTarget(msgspec.Struct, frozen=True, kw_only=True):
    """What an ingest token resolves to: whose batch, which sensor, and the batch facts
    the alert rules need (copied at registration so ingest reads one item)."""

    sub: str
    batch_id: str
    sensor_id: str
    kind: BatchKind
    started_at: datetime


class TokenHead(msgspec.Struct, frozen=True, kw_only=True):
    """The token's item as ingest last saw it. Every write to that item moves `version`
    (a reading, a move to another batch; a revocation deletes it), so a write
    conditioned on the version seen is refused after any of them. `arrivals` counts the
    readings in a row whose time falls in `arrival_minute` (UTC, `YYYY-MM-DDTHH:MM`):
    the flood cap. `closed` is set by the consumer when it found the batch closed: ingest
    then looks at the batch before writing (it may have been reopened)."""

    target: IngestTarget
    version: int
    arrival_minute: str = ""
    arrivals: int = 0
    closed: bool = False


class Posted(msgspec.Struct, frozen=True, kw_only=True):
    """A reading ingest accepted, as the token item carries it to the stream's
    consumer: `version` is the item's version that carried it (the consumer applies
    each version once), `received_at` when it arrived."""

    token_hash: str
    target: IngestTarget
    version: int
    reading: Reading
    received_at: datetime


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(value: str) -> bool:
    """Cheap shape check before any read: a wrong-length token cannot be one of ours."""
    return len(value) == TOKEN_LENGTH and all(c.isalnum() or c in "-_" for c in value)


def new_sensor(*, name: str, batch_id: str, token: str, now: datetime) -> Sensor:
    return Sensor(
        id=new_ulid(now),
        name=name.strip(),
        batch_id=batch_id,
        status="active",
        token_hash=hash_token(token),
        created_at=now,
        updated_at=now,
        version=1,
    )
