"""A printable jar label: a QR code for the batch's public page, its name and start date.

SVG, so it prints sharp at any size; sized in millimetres for 62 mm label tape. The
QR code points at the public page whether or not sharing is on yet: printing a label
does not publish anything, and a scan of a private batch shows the friendly 404.
"""

import io
from html import escape
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency

from app.api.openapi import BEARER, contract
from app.api.params import Caller, PathId, known_id
from app.api.public import KIND_LABELS, public_base
from app.config import Settings
from app.usecases.batches import Batches

WIDTH_MM = 62
QR_MM = 50
NAME_CHARS = 26


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def qr_svg(url: str, *, x: float, y: float, size: float) -> str:
    """The QR code as a nested <svg> placed at (x, y), `size` millimetres square."""
    import segno  # on first use: only label requests pay for it, not every cold start

    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", xmldecl=False, svgns=True, omitsize=True, border=4, nl=False
    )
    return (
        buffer.getvalue()
        .decode()
        .replace("<svg ", f'<svg x="{x}" y="{y}" width="{size}" height="{size}" ', 1)
    )


def render_label(*, url: str, name: str, kind: str, started: str) -> str:
    height = QR_MM + 26
    x = (WIDTH_MM - QR_MM) / 2
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_MM}mm" height="{height}mm" '
        f'viewBox="0 0 {WIDTH_MM} {height}">'
        f'<rect width="{WIDTH_MM}" height="{height}" fill="#fff"/>'
        f"{qr_svg(url, x=x, y=2, size=QR_MM)}"
        f'<g font-family="Helvetica, Arial, sans-serif" text-anchor="middle" fill="#000">'
        f'<text x="{WIDTH_MM / 2}" y="{QR_MM + 9}" font-size="5.5" font-weight="bold">'
        f"{escape(_fit(name, NAME_CHARS))}</text>"
        f'<text x="{WIDTH_MM / 2}" y="{QR_MM + 15.5}" font-size="3.8">'
        f"{escape(kind)} · started {escape(started)}</text>"
        f'<text x="{WIDTH_MM / 2}" y="{QR_MM + 21}" font-size="2.6">{escape(url)}</text>'
        "</g></svg>"
    )


class LabelController(Controller):
    tags = ["batches"]  # noqa: RUF012 (Litestar reads these as class attributes)
    security = BEARER

    @get(
        "/batches/{batch_id:str}/label.svg",
        operation_id="getBatchLabel",
        media_type="image/svg+xml",
        sync_to_thread=False,
        **contract(401, 404),
    )
    def label(
        self,
        request: Request[Any, Any, Any],
        batch_id: PathId,
        principal: Caller,
        batches: NamedDependency[Batches],
        settings: NamedDependency[Settings],
    ) -> Response[str]:
        batch = batches.get(principal.sub, known_id(batch_id, "batch"))
        svg = render_label(
            url=f"{public_base(settings, request)}/b/{batch.id}",
            name=batch.name,
            kind=KIND_LABELS.get(batch.kind, batch.kind),
            started=f"{batch.started_at:%d %b %Y}",
        )
        return Response(
            svg,
            media_type="image/svg+xml",
            headers={
                "Cache-Control": "private, no-cache",
                "Content-Disposition": f'inline; filename="kefir-label-{batch.id}.svg"',
            },
        )
