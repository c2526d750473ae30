"""A batch's series for charts: downsampled on the server, or raw and paged.

A series merges the sensors' minute readings with the batch's manual `measure`
events, so a pH typed in by hand sits on the same curve as a meter's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import msgspec

from app.domain.batches import Batch, Event
from app.domain.charts import render_chart
from app.domain.clock import utc_now
from app.domain.errors import InvalidInput
from app.domain.ids import known_id
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
CHART_POINTS = 120
CHART_METRICS: tuple[Metric, ...] = ("gravity", "temperature", "ph")
TITLES: dict[str, str] = {
    "gravity": "Gravity",
    "temperature": "Temperature",
    "ph": "pH",
    "battery": "Battery",
    "plato": "Gravity",
    "velocity": "Fermentation speed",
    "attenuation": "Apparent attenuation",
    "abv": "Alcohol",
}
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


class Readings:
    def __init__(self, store: ReadingStore, clock: Callable[[], datetime] = utc_now) -> None:
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
        batch, events = self.store.batch_with_events(sub, known_id(batch_id, "batch"))
        return self._series(sub, batch, events, metric, start, end, points)

    def _series(
        self,
        sub: str,
        batch: Batch,
        events: list[Event],
        metric: SeriesMetric,
        start: datetime | None,
        end: datetime | None,
        points: int,
    ) -> Series:
        start, end = _span(batch, start, end, self.clock())
        stored = base_metric(metric)
        sensed = [
            (reading.at, reading.values[stored])
            for reading in self.store.readings(sub, batch.id, start, end, stored)
            if stored in reading.values
        ]
        return _series(metric, start, end, points, sensed, events)

    def chart(
        self,
        sub: str,
        batch_id: str,
        metric: SeriesMetric,
        *,
        start: datetime | None,
        end: datetime | None,
    ) -> str:
        """The series as SVG, with the batch's events as ticks."""
        batch, events = self.store.batch_with_events(sub, known_id(batch_id, "batch"))
        series = self._series(sub, batch, events, metric, start, end, CHART_POINTS)
        return render_chart(
            title=TITLES[metric],
            unit=series.unit,
            buckets=series.buckets,
            start=series.start,
            end=series.end,
            events=_ticks(events),
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
        batch = self.store.batch(sub, known_id(batch_id, "batch"))
        start, end = _span(batch, start, end, self.clock())
        items, next_cursor = self.store.page(sub, batch.id, start, end, limit=limit, cursor=cursor)
        return RawPage(items=items, next_cursor=next_cursor)


def shared_charts(
    store: ReadingStore,
    owner_sub: str,
    batch: Batch,
    ticks: list[tuple[datetime, str]],
    now: datetime,
) -> list[str]:
    """Charts of every sensed metric a shared batch has (the public page): one read of
    its readings, however many metrics. The caller has checked sharing is on; `ticks`
    are what may be shown publicly (event types, never notes)."""
    start, end = _span(batch, None, None, now)
    sensed: dict[Metric, list[tuple[datetime, float]]] = {m: [] for m in CHART_METRICS}
    for reading in store.readings(owner_sub, batch.id, start, end):
        for metric in CHART_METRICS:
            value = reading.values.get(metric)
            if value is not None:
                sensed[metric].append((reading.at, value))
    charts = []
    for metric in CHART_METRICS:
        series = _series(metric, start, end, CHART_POINTS, sensed[metric], [])
        if series.buckets:
            charts.append(
                render_chart(
                    title=TITLES[metric],
                    unit=series.unit,
                    buckets=series.buckets,
                    start=start,
                    end=end,
                    events=ticks,
                )
            )
    return charts


def _series(
    metric: SeriesMetric,
    start: datetime,
    end: datetime,
    points: int,
    sensed: list[tuple[datetime, float]],
    events: list[Event],
) -> Series:
    stored = base_metric(metric)
    merged = merge_sorted(sensed, _manual(events, stored, start, end))
    values = merged if metric == stored else derive(metric, merged)
    return Series(
        metric=metric,
        unit=UNITS[metric],
        start=start,
        end=end,
        raw_points=len(values),
        buckets=downsample(values, start, end, points),
    )


def _span(
    batch: Batch, start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    end = end or now
    start = start or batch.started_at
    _check_span(start, end)
    return start, end


def _ticks(events: list[Event]) -> list[tuple[datetime, str]]:
    """Events worth marking on a chart: what the user did, not the readings they typed."""
    return [(e.occurred_at, e.note or e.type) for e in events if e.type != "measure"]


def _manual(
    events: list[Event], metric: Metric, start: datetime, end: datetime
) -> list[tuple[datetime, float]]:
    field = _EVENT_FIELDS.get(metric)
    if field is None:
        return []
    points = []
    for event in events:
        if event.type != "measure":
            continue
        value: float | None = getattr(event, field)
        if value is not None and start <= event.occurred_at <= end:
            points.append((event.occurred_at, value))
    return points


def _check_span(start: datetime, end: datetime) -> None:
    if end <= start:
        raise InvalidInput("from", "from must be before to.")
    if end - start > MAX_SPAN:
        raise InvalidInput("from", "A series spans at most 400 days.")
