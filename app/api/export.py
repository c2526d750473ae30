"""`GET /export.csv`: all of the caller's data as one CSV file.

Small exports are the response body. Once the CSV passes `EXPORT_INLINE_MAX_BYTES`
(under Lambda's ~6 MB response cap) the rest streams into S3 and the route answers
303 with a short-lived download URL, so memory stays at one page plus one part.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, MediaType, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

from app.api.auth import provide_principal
from app.api.photos import provide_photo_objects
from app.api.public import provide_settings
from app.config import Settings
from app.domain.ids import new_ulid
from app.services.auth import Principal
from app.services.exports import upload_export
from app.services.photos import PhotoObjects
from app.store.export import ExportStore, csv_chunks

Caller = NamedDependency[Principal]
Exports = NamedDependency[ExportStore]
Config = NamedDependency[Settings]

CSV_MEDIA_TYPE = "text/csv; charset=utf-8; header=present"


def provide_export_store(request: Request[Any, Any, Any]) -> ExportStore:
    store: ExportStore = request.app.state.export_store
    return store


class ExportController(Controller):
    tags = ["export"]  # noqa: RUF012 (Litestar reads these as class attributes)
    dependencies = {  # noqa: RUF012
        "principal": Provide(provide_principal, sync_to_thread=False),
        "exports": Provide(provide_export_store, sync_to_thread=False),
        "config": Provide(provide_settings, sync_to_thread=False),
    }

    @get(
        "/export.csv",
        operation_id="exportCsv",
        media_type=CSV_MEDIA_TYPE,
        sync_to_thread=False,
    )
    def export_csv(
        self,
        request: Request[Any, Any, Any],
        principal: Caller,
        exports: Exports,
        config: Config,
    ) -> Response[bytes] | Redirect:
        now = datetime.now(UTC)
        filename = f"kefir-export-{now:%Y%m%d}.csv"
        chunks = csv_chunks(exports.pages(principal.sub))
        body = bytearray()
        for chunk in chunks:
            body += chunk
            if len(body) > config.export_inline_max_bytes:
                objects: PhotoObjects = provide_photo_objects(request)
                url = upload_export(
                    objects, principal.sub, new_ulid(now), body, chunks, filename=filename, now=now
                )
                return Redirect(
                    url,
                    status_code=HTTP_303_SEE_OTHER,
                    media_type=MediaType.TEXT,
                    headers={"Cache-Control": "private, no-store"},
                )
        return Response(
            bytes(body),
            media_type=CSV_MEDIA_TYPE,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "private, no-store",
            },
        )
