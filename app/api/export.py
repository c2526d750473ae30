"""`GET /export.csv`: all of the caller's data as one CSV file, in the body when small,
else a 303 to a short-lived S3 download URL; an export that needs more than one
request's time answers 202 with `Location: /export.csv?continue=<id>` to carry on
(`app.usecases.exports`)."""

from typing import Annotated

from litestar import Controller, MediaType, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_303_SEE_OTHER

from app.api.openapi import BEARER, contract
from app.api.params import Caller
from app.domain.clock import utc_now
from app.usecases.exports import CsvLink, CsvPending, Exports

CSV_MEDIA_TYPE = "text/csv; charset=utf-8; header=present"
NO_STORE = "private, no-store"

Continuation = Annotated[
    str | None,
    QueryParameter(
        name="continue",
        max_length=64,
        description="from the `Location` of a 202: carries on an export in progress",
    ),
]


class ExportController(Controller):
    tags = ["export"]  # noqa: RUF012 (Litestar reads these as class attributes)
    security = BEARER

    @get(
        "/export.csv",
        operation_id="exportCsv",
        media_type=CSV_MEDIA_TYPE,
        sync_to_thread=False,
        # 400: a malformed `continue`; 404: no such export in progress.
        **contract(400, 401, 404, also={202: None, 303: None}),
    )
    def export_csv(
        self,
        principal: Caller,
        exports: NamedDependency[Exports],
        continuation: Continuation = None,
    ) -> Response[bytes] | Redirect:
        export = exports.csv(principal.sub, utc_now(), continuation)
        if isinstance(export, CsvPending):
            return Response(
                b"Export in progress: GET the Location to carry on.\n",
                status_code=HTTP_202_ACCEPTED,
                media_type=MediaType.TEXT,
                headers={
                    "Location": f"/export.csv?continue={export.export_id}",
                    "Retry-After": "0",
                    "Cache-Control": NO_STORE,
                },
            )
        if isinstance(export, CsvLink):
            return Redirect(
                export.url,
                status_code=HTTP_303_SEE_OTHER,
                media_type=MediaType.TEXT,
                headers={"Cache-Control": NO_STORE},
            )
        return Response(
            export.body,
            media_type=CSV_MEDIA_TYPE,
            headers={
                "Content-Disposition": f'attachment; filename="{export.filename}"',
                "Cache-Control": NO_STORE,
            },
        )
