"""`GET /export.csv`: all of the caller's data as one CSV file, in the body when small,
else a 303 to a short-lived S3 download URL (`app.usecases.exports`)."""

from __future__ import annotations

from litestar import Controller, MediaType, Response, get
from litestar.di import NamedDependency
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

from app.api.params import Caller
from app.domain.clock import utc_now
from app.usecases.exports import CsvLink, Exports

CSV_MEDIA_TYPE = "text/csv; charset=utf-8; header=present"


class ExportController(Controller):
    tags = ["export"]  # noqa: RUF012 (Litestar reads these as class attributes)

    @get(
        "/export.csv",
        operation_id="exportCsv",
        media_type=CSV_MEDIA_TYPE,
        sync_to_thread=False,
    )
    def export_csv(
        self, principal: Caller, exports: NamedDependency[Exports]
    ) -> Response[bytes] | Redirect:
        export = exports.csv(principal.sub, utc_now())
        if isinstance(export, CsvLink):
            return Redirect(
                export.url,
                status_code=HTTP_303_SEE_OTHER,
                media_type=MediaType.TEXT,
                headers={"Cache-Control": "private, no-store"},
            )
        return Response(
            export.body,
            media_type=CSV_MEDIA_TYPE,
            headers={
                "Content-Disposition": f'attachment; filename="{export.filename}"',
                "Cache-Control": "private, no-store",
            },
        )
