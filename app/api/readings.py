"""Routes for a batch's readings: the downsampled series and the raw pages."""

from datetime import datetime
from typing import Annotated

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from app.api.openapi import BEARER, contract
from app.api.params import Caller, Cursor, PathId
from app.api.schemas.readings import BucketOut, ReadingOut, ReadingPage, SeriesOut
from app.domain.readings import SeriesMetric
from app.usecases.readings import MAX_POINTS, Readings

ReadingsCase = NamedDependency[Readings]
MetricParam = Annotated[SeriesMetric, QueryParameter(description="what to draw")]
From = Annotated[
    datetime | None, QueryParameter(name="from", description="RFC 3339; default: batch start")
]
To = Annotated[datetime | None, QueryParameter(name="to", description="RFC 3339; default: now")]
Points = Annotated[int, QueryParameter(ge=1, le=MAX_POINTS, description="most buckets returned")]
PageSize = Annotated[int, QueryParameter(ge=1, le=1000, description="readings per page")]


class ReadingController(Controller):
    path = "/batches/{batch_id:str}/readings"
    tags = ["readings"]  # noqa: RUF012 (Litestar reads these as class attributes)
    security = BEARER

    @get(operation_id="getSeries", sync_to_thread=False, **contract(400, 401, 404))
    def series(
        self,
        batch_id: PathId,
        principal: Caller,
        readings: ReadingsCase,
        metric: MetricParam = "gravity",
        start: From = None,
        end: To = None,
        points: Points = 200,
    ) -> SeriesOut:
        series = readings.series(
            principal.sub, batch_id, metric, start=start, end=end, points=points
        )
        return SeriesOut(
            metric=series.metric,
            unit=series.unit,
            start=series.start,
            end=series.end,
            raw_points=series.raw_points,
            buckets=[BucketOut.of(bucket) for bucket in series.buckets],
        )

    @get("/raw", operation_id="listReadings", sync_to_thread=False, **contract(400, 401, 404))
    def raw(
        self,
        batch_id: PathId,
        principal: Caller,
        readings: ReadingsCase,
        start: From = None,
        end: To = None,
        limit: PageSize = 500,
        cursor: Cursor = None,
    ) -> ReadingPage:
        page = readings.raw(
            principal.sub, batch_id, start=start, end=end, limit=limit, cursor=cursor
        )
        return ReadingPage(
            items=[ReadingOut.of(reading) for reading in page.items],
            next_cursor=page.next_cursor,
        )


class ChartController(Controller):
    tags = ["readings"]  # noqa: RUF012 (Litestar reads these as class attributes)
    security = BEARER

    @get(
        "/batches/{batch_id:str}/chart.svg",
        operation_id="getChart",
        media_type="image/svg+xml",
        sync_to_thread=False,
        **contract(400, 401, 404),
    )
    def chart(
        self,
        batch_id: PathId,
        principal: Caller,
        readings: ReadingsCase,
        metric: MetricParam = "gravity",
        start: From = None,
        end: To = None,
    ) -> Response[str]:
        svg = readings.chart(principal.sub, batch_id, metric, start=start, end=end)
        return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})
