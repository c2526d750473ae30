"""Ingest: a device posts a reading with its secret token; no user is signed in.

Per reading, one write: the token's item replaced with the reading in it, conditioned on
the item's version as last seen (`SensorStore.post`). That one condition is the
revocation check (a revoked token has no item), the move check (a move raises the
version) and the flood cap's guard (the count of this minute's arrivals is in the item
that is replaced). The reading is filed by the table's stream consumer
(`app.usecases.posted`): its minute bucket, the alert rules, the alert events and the
push, all off the device's request. A warm process remembers the token items it wrote
last (a bounded LRU), so a sensor posting to it costs that one PutItem; a cold process,
or one whose write was refused, reads the item first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import msgspec

from app.domain.batches import OPEN_STATUSES
from app.domain.clock import utc_now
from app.domain.device_formats import Format, parse_payload
from app.domain.errors import BatchClosed, NotFound, TooManyReadings
from app.domain.readings import Reading, check_reading, minute_of, seconds_to_next_minute
from app.domain.sensors import TokenHead, hash_token, looks_like_token
from app.store.sensors import SensorStore, TokenChanged
from app.usecases.remembered import Lru

if TYPE_CHECKING:
    from app.config import Settings
    from app.services.clients import AwsClients

# One reading every 2 s per sensor is the most any device or bridge needs; beyond that
# it is a loop gone wrong, answered 429 so it backs off.
PER_MINUTE_CAP = 30
_ATTEMPTS = 4
REMEMBERED = 2048
UNKNOWN_TOKEN = "Unknown or revoked ingest token."  # noqa: S105 (a message)


class Ingested(msgspec.Struct, frozen=True, kw_only=True):
    format: Format
    reading: Reading


class Ingest:
    def __init__(
        self,
        sensors: SensorStore,
        *,
        per_minute_cap: int = PER_MINUTE_CAP,
        clock: Callable[[], datetime] = utc_now,
        remembered: int = REMEMBERED,
    ) -> None:
        self.sensors = sensors
        self.per_minute_cap = per_minute_cap
        self.clock = clock
        self._heads: Lru[str, TokenHead] = Lru(remembered)

    def ingest(
        self, token: str, body: bytes, content_type: str, form_temp_unit: str = "F"
    ) -> Ingested:
        """The body is parsed before any read: garbage costs no DynamoDB call."""
        now = self.clock()
        parsed = parse_payload(body, content_type, now, form_temp_unit)
        reading = check_reading(parsed.reading, now)
        if not looks_like_token(token):
            raise NotFound(UNKNOWN_TOKEN)
        hashed = hash_token(token)
        for _ in range(_ATTEMPTS):
            head = self._heads.get(hashed) or self._read_head(hashed)
            if head.closed:
                self._require_open(head)
            carried = self._next(head, reading, now)
            try:
                self.sensors.post(hashed, carried, reading, now)
            except TokenChanged:
                self._heads.pop(hashed)
                continue
            self._heads.put(hashed, carried)
            return Ingested(format=parsed.format, reading=reading)
        raise RuntimeError("the ingest token kept changing; giving up")

    def _next(self, head: TokenHead, reading: Reading, now: datetime) -> TokenHead:
        """The item's next version, counting this reading in its minute; TooManyReadings
        past the cap (nothing is written: the count is the item's, read or written by
        this process). The count is of the readings in a row that fall in one minute, so
        a device catching up on hours it could not send is not refused, and a loop that
        keeps sending "now" is."""
        minute = minute_of(reading.at).strftime("%Y-%m-%dT%H:%M")
        arrivals = head.arrivals + 1 if head.arrival_minute == minute else 1
        if arrivals > self.per_minute_cap:
            raise TooManyReadings(
                f"More than {self.per_minute_cap} readings in one minute from this "
                "sensor: slow down.",
                retry_after=seconds_to_next_minute(now),
            )
        return msgspec.structs.replace(
            head, version=head.version + 1, arrival_minute=minute, arrivals=arrivals, closed=False
        )

    def _require_open(self, head: TokenHead) -> None:
        """BatchClosed unless the batch was reopened since the consumer found it closed
        (then this write clears the mark)."""
        target = head.target
        status = self.sensors.batch(target.sub, target.batch_id).status
        if status not in OPEN_STATUSES:
            raise BatchClosed(f"The batch is {status}: its readings can no longer change.")

    def _read_head(self, hashed: str) -> TokenHead:
        head = self.sensors.head(hashed)
        if head is None:
            raise NotFound(UNKNOWN_TOKEN)
        return head


def ingest_use_case(settings: Settings, clients: AwsClients) -> Ingest:
    """One recipe for the ingest function's handler and the app's ingest routes."""
    return Ingest(SensorStore(clients.dynamodb, settings.table_name))
