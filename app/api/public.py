"""Routes anyone may call, without a token: a shared batch's summary and page, and the
files that let iOS and Android open `/b/*` links in the app when it is installed.

Kept apart from the authenticated controllers: in AWS these routes are served by
their own function with no authorizer, and nothing here may depend on a caller.
An unknown batch and a private one answer exactly the same 404.
"""

import base64
import hashlib
from datetime import datetime
from html import escape
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.response import Redirect
from litestar.status_codes import HTTP_302_FOUND

from app.api.openapi import contract
from app.api.params import PathId, known_id
from app.api.schemas.public import PublicBatchOut, PublicEventOut
from app.config import Settings
from app.domain.clock import utc_now
from app.domain.errors import NotFound
from app.usecases.public import Public, SharedBatch

SUMMARY_CACHE = "public, max-age=60"
PAGE_CACHE = "public, max-age=300"
MISSING_CACHE = "public, max-age=60"
WELL_KNOWN_CACHE = "public, max-age=3600"
KIND_LABELS = {
    "milk_kefir": "Milk kefir",
    "water_kefir": "Water kefir",
    "kombucha": "Kombucha",
    "sourdough": "Sourdough",
    "other": "Ferment",
}
EVENT_LABELS = {
    "feed": "Fed",
    "strain": "Strained",
    "taste": "Tasted",
    "measure": "Measured",
    "note": "Note",
    "second_ferment": "Second ferment",
    "bottle": "Bottled",
    "alert": "Alert",
}


def public_base(settings: Settings, request: Request[Any, Any, Any]) -> str:
    """The configured public origin; the request's own origin when none is set (local)."""
    return settings.public_base_url or str(request.base_url).rstrip("/")


def _summary(shared: SharedBatch, base: str, scheme: str, now: datetime) -> PublicBatchOut:
    batch = shared.batch
    return PublicBatchOut(
        id=batch.id,
        name=batch.name,
        kind=batch.kind,
        status=batch.status,
        started_at=batch.started_at,
        age_days=max(0, (now - batch.started_at).days),
        recent_events=[PublicEventOut.of(e) for e in shared.recent_events],
        cover_photo_url=f"{base}/public/batches/{batch.id}/cover" if shared.cover else None,
        page_url=f"{base}/b/{batch.id}",
        app_url=f"{scheme}://batches/{batch.id}",
        parent_page_url=f"{base}/b/{batch.parent_batch_id}" if shared.parent_shared else None,
        culture_page_url=f"{base}/c/{batch.culture_id}" if shared.culture_shared else None,
    )


class PublicController(Controller):
    tags = ["public"]  # noqa: RUF012 (Litestar reads these as class attributes)

    @get(
        "/public/batches/{batch_id:str}",
        operation_id="getPublicBatch",
        sync_to_thread=False,
        **contract(404),
    )
    def summary(
        self,
        request: Request[Any, Any, Any],
        batch_id: PathId,
        shared_batches: NamedDependency[Public],
        settings: NamedDependency[Settings],
    ) -> Response[PublicBatchOut]:
        found = shared_batches.shared_batch(known_id(batch_id, "shared batch"))
        body = _summary(found, public_base(settings, request), settings.app_scheme, utc_now())
        return Response(body, headers={"Cache-Control": SUMMARY_CACHE})

    @get(
        "/public/batches/{batch_id:str}/cover",
        operation_id="getPublicCover",
        status_code=HTTP_302_FOUND,
        sync_to_thread=False,
        **contract(404),
    )
    def cover(self, batch_id: PathId, shared_batches: NamedDependency[Public]) -> Redirect:
        """A stable address for the cover: it redirects to a short-lived S3 URL, so the
        page and its Open Graph image can be cached longer than any presigned URL lives."""
        cover = shared_batches.cover(known_id(batch_id, "shared batch"), utc_now())
        return Redirect(
            cover.url,
            status_code=HTTP_302_FOUND,
            headers={"Cache-Control": f"public, max-age={min(300, cover.url_seconds // 2)}"},
        )

    @get(
        "/b/{batch_id:str}",
        operation_id="getPublicBatchPage",
        media_type="text/html; charset=utf-8",
        sync_to_thread=False,
        include_in_schema=False,
    )
    def page(
        self,
        request: Request[Any, Any, Any],
        batch_id: PathId,
        shared_batches: NamedDependency[Public],
        settings: NamedDependency[Settings],
    ) -> Response[str]:
        now = utc_now()
        try:
            page = shared_batches.page(known_id(batch_id, "shared batch"), now)
        except NotFound:
            return Response(
                MISSING_PAGE,
                status_code=404,
                media_type="text/html; charset=utf-8",
                headers={"Cache-Control": MISSING_CACHE, **PAGE_HEADERS},
            )
        summary = _summary(page.shared, public_base(settings, request), settings.app_scheme, now)
        return Response(
            render_page(summary, page.charts),
            media_type="text/html; charset=utf-8",
            headers={"Cache-Control": PAGE_CACHE, **PAGE_HEADERS},
        )

    @get(
        "/.well-known/apple-app-site-association",
        operation_id="appleAppSiteAssociation",
        media_type="application/json",
        sync_to_thread=False,
        include_in_schema=False,
    )
    def apple_app_site_association(
        self, settings: NamedDependency[Settings]
    ) -> Response[dict[str, Any]]:
        """iOS universal links: `/b/*` opens in the app. Served as JSON, no redirect."""
        if not settings.apple_app_id:
            raise NotFound("Universal links are not configured.")
        # iOS 13+ reads `appIDs`/`components`; older versions `appID`/`paths`.
        detail = {
            "appIDs": [settings.apple_app_id],
            "components": [
                {"/": "/b/*", "comment": "a shared batch"},
                {"/": "/c/*", "comment": "a shared culture"},
                {"/": "/gift/*", "comment": "a gift code to claim"},
            ],
            "appID": settings.apple_app_id,
            "paths": ["/b/*", "/c/*", "/gift/*"],
        }
        body: dict[str, Any] = {"applinks": {"apps": [], "details": [detail]}}
        return Response(
            body, media_type="application/json", headers={"Cache-Control": WELL_KNOWN_CACHE}
        )

    @get(
        "/.well-known/assetlinks.json",
        operation_id="androidAssetLinks",
        media_type="application/json",
        sync_to_thread=False,
        include_in_schema=False,
    )
    def asset_links(self, settings: NamedDependency[Settings]) -> Response[list[dict[str, Any]]]:
        """Android app links: the app's package and signing certificate fingerprints."""
        if not settings.android_package or not settings.android_cert_fingerprints:
            raise NotFound("App links are not configured.")
        body = [
            {
                "relation": ["delegate_permission/common.handle_all_urls"],
                "target": {
                    "namespace": "android_app",
                    "package_name": settings.android_package,
                    "sha256_cert_fingerprints": list(settings.android_cert_fingerprints),
                },
            }
        ]
        return Response(
            body, media_type="application/json", headers={"Cache-Control": WELL_KNOWN_CACHE}
        )


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
background:#faf7f2;color:#2b2620;line-height:1.45}
main{max-width:34rem;margin:0 auto;padding:1.25rem}
h1{font-size:1.6rem;margin:.2rem 0 .4rem}
.meta{color:#6b6157;margin:0 0 1rem}
img{width:100%;height:auto;border-radius:.75rem;display:block;margin:0 0 1rem}
ol{list-style:none;padding:0;margin:0 0 1.5rem}
li{padding:.6rem 0;border-bottom:1px solid #e6dfd5}
time{color:#6b6157;font-size:.9rem;display:block}
.open{display:block;text-align:center;background:#2f6f4f;color:#fff;text-decoration:none;
padding:.9rem;border-radius:.75rem;font-weight:600}
footer{color:#8a8076;font-size:.85rem;margin-top:1.5rem;text-align:center}
figure.chart{margin:.5rem 0 1rem}figure.chart svg{display:block;max-width:100%;height:auto}
"""

# The pages run no script and load nothing but their own inline style (allowed by its
# hash, not by 'unsafe-inline') and the cover image, which redirects from this origin to
# a presigned S3 URL on another https origin. Nothing may frame them, post from them or
# send their address on.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        f"style-src 'sha256-{base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()}'",
        "img-src 'self' https:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def _event_line(event: PublicEventOut) -> str:
    parts = [EVENT_LABELS.get(event.type, event.type)]
    if event.ph is not None:
        parts.append(f"pH {event.ph:g}")
    if event.temperature_c is not None:
        parts.append(f"{event.temperature_c:g} °C")
    if event.gravity is not None:
        parts.append(f"SG {event.gravity:.3f}")
    text = " · ".join(parts)
    when = event.occurred_at.strftime("%d %b %Y, %H:%M UTC")
    return (
        f'<li><time datetime="{escape(event.occurred_at.isoformat())}">{escape(when)}</time>'
        f"{escape(text)}</li>"
    )


def render_page(summary: PublicBatchOut, charts: list[str] | None = None) -> str:
    """The batch's page: plain HTML and inline CSS, readable on a phone, no JavaScript;
    sensor charts are inline SVG drawn on the server."""
    kind = KIND_LABELS.get(summary.kind, summary.kind)
    days = "day" if summary.age_days == 1 else "days"
    description = (
        f"{kind}, {summary.status}, started {summary.started_at:%d %b %Y} "
        f"({summary.age_days} {days} ago)."
    )
    title = f"{summary.name} · Kefir"
    events = "".join(_event_line(e) for e in summary.recent_events)
    origins = "".join(
        f'<p class="meta"><a href="{escape(url)}">{label}</a></p>'
        for url, label in (
            (summary.parent_page_url, "Bottled from its first ferment"),
            (summary.culture_page_url, "Made by this culture"),
        )
        if url
    )
    image_meta = image_tag = ""
    if summary.cover_photo_url:
        url = escape(summary.cover_photo_url)
        image_meta = f'<meta property="og:image" content="{url}">\n'
        image_tag = f'<img src="{url}" alt="Photo of {escape(summary.name)}">'
    readings = ""
    if charts:
        figures = "".join(f'<figure class="chart">{chart}</figure>' for chart in charts)
        readings = f"<h2>Readings</h2>{figures}"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<meta name="description" content="{escape(description)}">
<meta property="og:type" content="website">
<meta property="og:title" content="{escape(summary.name)}">
<meta property="og:description" content="{escape(description)}">
<meta property="og:url" content="{escape(summary.page_url)}">
<meta property="og:site_name" content="Kefir">
{image_meta}<meta name="twitter:card" content="{"summary_large_image" if image_tag else "summary"}">
<style>{_STYLE}</style>
</head>
<body>
<main>
{image_tag}
<h1>{escape(summary.name)}</h1>
<p class="meta">{escape(description)}</p>
{origins}<h2>Latest</h2>
<ol>{events or "<li>Nothing logged yet.</li>"}</ol>
{readings}
<a class="open" href="{escape(summary.app_url)}">Open in the Kefir app</a>
<footer>Shared from Kefir, the fermentation tracker.</footer>
</main>
</body>
</html>
"""


MISSING_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Batch not found · Kefir</title>
<meta name="robots" content="noindex">
<style>{_STYLE}</style>
</head>
<body>
<main>
<h1>This batch isn't shared</h1>
<p class="meta">The link may be mistyped, or its owner stopped sharing it.
If it is your batch, open the Kefir app and turn sharing on.</p>
<footer>Kefir, the fermentation tracker.</footer>
</main>
</body>
</html>
"""
