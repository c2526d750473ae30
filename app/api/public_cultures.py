"""The public culture routes: a shared culture's summary and page, and the page a
scanned gift label lands on. No token.

Apart from the signed-in culture routes (app.api.cultures) because the `public`
function serves these alone: it is hit cold by strangers, and importing the whole
culture controller cost its cold start for routes it never serves.
"""

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency

from app.api.culture_pages import MISSING_GIFT_PAGE, render_culture_page, render_gift_page
from app.api.openapi import contract
from app.api.params import PathId
from app.api.public import public_base
from app.api.schemas.cultures import (
    LineageNodeOut,
    LineageOut,
    PublicCultureBatchOut,
    PublicCultureOut,
)
from app.config import Settings
from app.domain.clock import utc_now
from app.domain.cultures import display_code, normalize_gift_code
from app.domain.errors import NotFound
from app.usecases.cultures import Cultures, Lineage

UseCases = NamedDependency[Cultures]
Config = NamedDependency[Settings]

PUBLIC_BATCHES = 5
PAGE_CACHE = "public, max-age=300"
SUMMARY_CACHE = "public, max-age=60"
HTML = "text/html; charset=utf-8"


def lineage_out(lineage: Lineage) -> LineageOut:
    return LineageOut(
        culture=LineageNodeOut.of(lineage.culture),
        ancestors=[LineageNodeOut.of(v) for v in lineage.ancestors],
        descendants=[LineageNodeOut.of(v) for v in lineage.descendants],
        truncated=lineage.truncated,
    )


class PublicCultureController(Controller):
    """No token: a culture whose owner turned sharing on. An unknown culture and a
    private one answer the same 404."""

    tags = ["public"]  # noqa: RUF012 (Litestar reads these as class attributes)

    @get(
        "/public/cultures/{culture_id:str}",
        operation_id="getPublicCulture",
        sync_to_thread=False,
        **contract(404),
    )
    def summary(
        self,
        request: Request[Any, Any, Any],
        culture_id: PathId,
        cultures: UseCases,
        settings: Config,
    ) -> Response[PublicCultureOut]:
        body = _public_summary(request, culture_id, cultures, settings)
        return Response(body, headers={"Cache-Control": SUMMARY_CACHE})

    @get(
        "/c/{culture_id:str}",
        operation_id="getPublicCulturePage",
        media_type=HTML,
        sync_to_thread=False,
        include_in_schema=False,
    )
    def page(
        self,
        request: Request[Any, Any, Any],
        culture_id: PathId,
        cultures: UseCases,
        settings: Config,
    ) -> Response[str]:
        try:
            body = _public_summary(request, culture_id, cultures, settings)
        except NotFound:
            return Response(
                MISSING_CULTURE_PAGE,
                status_code=404,
                media_type=HTML,
                headers={"Cache-Control": SUMMARY_CACHE},
            )
        return Response(
            render_culture_page(body), media_type=HTML, headers={"Cache-Control": PAGE_CACHE}
        )

    @get(
        "/gift/{code:str}",
        operation_id="getGiftPage",
        media_type=HTML,
        sync_to_thread=False,
        include_in_schema=False,
    )
    def gift_page(self, code: PathId, settings: Config) -> Response[str]:
        """Where a scanned gift label lands without the app: how to claim it. Reads
        nothing: whether the code is good is for the claim to say, signed in."""
        normalized = normalize_gift_code(code)
        if normalized is None:
            return Response(MISSING_GIFT_PAGE, status_code=404, media_type=HTML)
        shown = display_code(normalized)
        return Response(
            render_gift_page(shown, f"{settings.app_scheme}://claim/{shown}"),
            media_type=HTML,
            headers={"Cache-Control": "private, no-store"},
        )


def _public_summary(
    request: Request[Any, Any, Any], culture_id: str, cultures: Cultures, settings: Settings
) -> PublicCultureOut:
    now = utc_now()
    shared = cultures.public_culture(culture_id, now, batches=PUBLIC_BATCHES)
    base = public_base(settings, request)
    me = shared.lineage.culture
    return PublicCultureOut(
        id=me.id,
        name=me.name or me.label,
        kind=me.kind or "other",
        age_days=me.age_days or 0,
        generation=me.generation,
        lineage=lineage_out(shared.lineage),
        shared_batches=[
            PublicCultureBatchOut(
                id=b.id, name=b.name, started_at=b.started_at, page_url=f"{base}/b/{b.id}"
            )
            for b in shared.shared_batches
        ],
        page_url=f"{base}/c/{me.id}",
        app_url=f"{settings.app_scheme}://cultures/{me.id}",
    )


MISSING_CULTURE_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Culture not found · Kefir</title>
<meta name="robots" content="noindex">
</head>
<body>
<main>
<h1>This culture isn't shared</h1>
<p>The link may be mistyped, or its owner stopped sharing it.</p>
</main>
</body>
</html>
"""
