"""Bodies of the series routes."""

from __future__ import annotations

from datetime import datetime

from app.api.schemas.base import Out
from app.domain.readings import Bucket, StoredReading


class BucketOut(Out):
    start: datetime
    min: float
    avg: float
    max: float
    count: int

    @classmethod
    def of(cls, bucket: Bucket) -> BucketOut:
        return cls(
            start=bucket.start, min=bucket.min, avg=bucket.avg, max=bucket.max, count=bucket.count
        )


class SeriesOut(Out):
    metric: str
    unit: str
    start: datetime
    end: datetime
    raw_points: int
    buckets: list[BucketOut]


class ReadingOut(Out):
    """One sensor's minute: the mean of what it sent in that minute (`count` readings)."""

    at: datetime
    sensor_id: str
    count: int
    gravity: float | None
    temperature_c: float | None
    ph: float | None
    battery: float | None

    @classmethod
    def of(cls, reading: StoredReading) -> ReadingOut:
        values = reading.values
        return cls(
            at=reading.at,
            sensor_id=reading.sensor_id,
            count=reading.count,
            gravity=values.get("gravity"),
            temperature_c=values.get("temperature"),
            ph=values.get("ph"),
            battery=values.get("battery"),
        )


class ReadingPage(Out):
    items: list[ReadingOut]
    next_cursor: str | None
