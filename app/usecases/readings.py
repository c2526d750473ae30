"""A batch's series for charts: downsampled on the server, or raw and paged.

A series merges the sensors' minute readings with the batch's manual `measure`
events, so a pH typed in by hand sits on the same curve as a meter's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import msgspec

from app.domain.batches import Event
from app.domain.errors import InvalidInput, NotFound
from app.domain.ids import is_ulid
from app.domain.readings import (
    UNITS,
    Bucket,
    Metric,
    SeriesMetric,
    StoredReading,
    base_metric,
    derive,
    downsample,
    merge_sorted,
)
from app.store.readings import ReadingStore

MAX_POINTS = 2000
MAX_SPAN = timedelta(days=400)
_EVENT_FIELDS: dict[Metric, str] = {
    "gravity": "gravity",
    "temperature": "temperature_c",
    "ph": "ph",
}


class Series(msgspec.Struct, frozen=True, kw_only=True):
    metric: SeriesMetric
    unit: str
    start: datetime
    end: datetime
    raw_points: int
    buckets: list[Bucket]


class RawPage(msgspec.Struct, frozen=True):
    items: list[StoredReading]
    next_cursor: str | None


def _now() -> datetime:
    return datetime.now(UTC)


class Readings:
    def __init__(self, store: ReadingStore, clock: Callable[[], datetime] = _now) -> None:
        self.store = store
        self.clock = clock

    def series(
        self,
        sub: str,
        batch_id: str,
        metric: SeriesMetric,
        *,
        start: datetime | None,
        end: datetime | None,
        points: int,
    ) -> Series:
        """At most `points` buckets over [start, end] (default: the batch's start to now)."""
        if not 1 <= points <= MAX_POINTS:
            raise InvalidInput("points", f"points must be between 1 and {MAX_POINTS}.")
        batch, measures = self.store.batch_with_measures(sub, _batch_id(batch_id))
        end = end or self.clock()
        start = start or batch.started_at
        _check_span(start, end)
        stored = base_metric(metric)
        sensed = [
            (reading.at, reading.values[stored])
            for reading in self.store.readings(sub, batch.id, start, end, stored)
            if stored in reading.values
        ]
        merged = merge_sorted(sensed, _manual(measures, stored, start, end))
        values = merged if metric == stored else derive(metric, merged)
        return Series(
            metric=metric,
            unit=UNITS[metric],
            start=start,
            end=end,
            raw_points=len(values),
            buckets=downsample(values, start, end, points),
        )

    def raw(
        self,
        sub: str,
        batch_id: str,
        *,
        start: datetime | None,
        end: datetime | None,
        limit: int,
        cursor: str | None,
    ) -> RawPage:
        """Stored minute readings, oldest first, `limit` a page."""
        batch = self.store.batch(sub, _batch_id(batch_id))
        end = end or self.clock()
        start = start or batch.started_at
        _check_span(start, end)
        items, next_cursor = self.store.page(sub, batch.id, start, end, limit=limit, cursor=cursor)
        return RawPage(items=items, next_cursor=next_cursor)


def _manual(
    events: list[Event], metric: Metric, start: datetime, end: datetime
) -> list[tuple[datetime, float]]:
    field = _EVENT_FIELDS.get(metric)
    if field is None:
        return []
    points = []
    for event in events:
        value: float | None = getattr(event, field)
        if value is not None and start <= event.occurred_at <= end:
            points.append((event.occurred_at, value))
    return points


def _check_span(start: datetime, end: datetime) -> None:
    if end <= start:
        raise InvalidInput("from", "from must be before to.")
    if end - start > MAX_SPAN:
        raise InvalidInput("from", "A series spans at most 400 days.")


def _batch_id(value: str) -> str:
    if not is_ulid(value):
        raise NotFound("No such batch.")
    return value
