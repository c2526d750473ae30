"""A series drawn as SVG on the server: no client script, readable on a phone.

The band is each bucket's min-max, the line its mean, so a short spike still shows;
events are ticks along the time axis. The viewBox is small (360 x 220) so that text at
11 units stays legible when a phone scales the image to its width.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from html import escape

from app.domain.readings import Bucket

WIDTH, HEIGHT = 360, 220
LEFT, RIGHT, TOP, BOTTOM = 46, 10, 24, 34
Y_TICKS = 4
X_TICKS = 4


def render_chart(
    *,
    title: str,
    unit: str,
    buckets: Sequence[Bucket],
    start: datetime,
    end: datetime,
    events: Sequence[tuple[datetime, str]] = (),
) -> str:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-label="{escape(title)} ({escape(unit)})" '
        'font-family="system-ui, sans-serif" font-size="11">',
        f"<title>{escape(title)} ({escape(unit)})</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
        f'<text x="{LEFT}" y="15" font-weight="600">{escape(title)}</text>',
        f'<text x="{WIDTH - RIGHT}" y="15" text-anchor="end" fill="#555">{escape(unit)}</text>',
    ]
    span = max((end - start).total_seconds(), 1.0)

    def x(at: datetime) -> float:
        return LEFT + plot_w * min(max((at - start).total_seconds() / span, 0.0), 1.0)

    if not buckets:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="#777">'
            "No readings yet</text>"
        )
        return "".join([*parts, _x_axis(start, end, plot_w, plot_h), "</svg>"])
    low = min(b.min for b in buckets)
    high = max(b.max for b in buckets)
    if high - low < 1e-9:
        pad = abs(high) * 0.01 or 1.0
        low, high = low - pad, high + pad
    else:
        pad = (high - low) * 0.08
        low, high = low - pad, high + pad

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (value - low) / (high - low))

    half = (end - start) / (2 * max(len(buckets), 1))
    band_top = " ".join(f"{x(b.start + half):.1f},{y(b.max):.1f}" for b in buckets)
    band_bottom = " ".join(f"{x(b.start + half):.1f},{y(b.min):.1f}" for b in reversed(buckets))
    line = " ".join(f"{x(b.start + half):.1f},{y(b.avg):.1f}" for b in buckets)
    parts += _y_axis(low, high, y, plot_w)
    parts.append(_x_axis(start, end, plot_w, plot_h))
    if len(buckets) > 1:
        parts.append(f'<polygon points="{band_top} {band_bottom}" fill="#2a7ab0" opacity="0.2"/>')
        parts.append(f'<polyline points="{line}" fill="none" stroke="#2a7ab0" stroke-width="1.8"/>')
    else:
        b = buckets[0]
        parts.append(
            f'<circle cx="{x(b.start + half):.1f}" cy="{y(b.avg):.1f}" r="3" fill="#2a7ab0"/>'
        )
    for at, label in events:
        if start <= at <= end:
            ex = x(at)
            parts.append(
                f'<line x1="{ex:.1f}" x2="{ex:.1f}" y1="{TOP + plot_h}" y2="{TOP + plot_h - 8}" '
                f'stroke="#c0392b" stroke-width="1.5"><title>{escape(label)}</title></line>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _y_axis(low: float, high: float, y: Callable[[float], float], plot_w: float) -> list[str]:
    parts = []
    step = (high - low) / Y_TICKS
    digits = _digits(step)
    for i in range(Y_TICKS + 1):
        value = low + step * i
        ty = y(value)
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#e3e3e3"/>'
        )
        parts.append(
            f'<text x="{LEFT - 4}" y="{ty + 4:.1f}" text-anchor="end" fill="#444">'
            f"{value:.{digits}f}</text>"
        )
    return parts


def _x_axis(start: datetime, end: datetime, plot_w: float, plot_h: float) -> str:
    base = TOP + plot_h
    parts = [f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{base}" y2="{base}" stroke="#888"/>']
    span = end - start
    fmt = (
        "%H:%M"
        if span <= timedelta(days=1)
        else "%d %b %Hh"
        if span <= timedelta(days=4)
        else "%d %b"
    )
    for i in range(X_TICKS + 1):
        at = start + span * i / X_TICKS
        tx = LEFT + plot_w * i / X_TICKS
        anchor = "start" if i == 0 else "end" if i == X_TICKS else "middle"
        parts.append(
            f'<text x="{tx:.1f}" y="{base + 16}" text-anchor="{anchor}" fill="#444">'
            f"{at.strftime(fmt)}</text>"
        )
    return "".join(parts)


def _digits(step: float) -> int:
    """Enough decimals to tell ticks apart (SG needs 3, °C needs 1)."""
    digits = 0
    while step < 1 and digits < 4:
        step *= 10
        digits += 1
    return digits
