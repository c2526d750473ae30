"""The public culture page: plain HTML, its family tree drawn as SVG on the server.

No JavaScript: the tree is laid out here, one row per generation, each node a `<g
class="node">` holding what the viewer may see of that culture (a label only, for a
private or deleted one), with a line from each node to its parent.
"""

from __future__ import annotations

from html import escape

from app.api.public import _STYLE
from app.api.schemas.cultures import LineageNodeOut, PublicCultureOut
from app.domain.cultures import KIND_NAMES

CULTURE_KIND_LABELS = KIND_NAMES

NODE_W = 150
NODE_H = 44
GAP_X = 16
GAP_Y = 36
MARGIN = 8
NAME_CHARS = 20

_FILL = {"mine": "#e4f1e9", "shared": "#e4f1e9", "private": "#efebe5", "deleted": "#f6f3ef"}


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def tree_svg(nodes: list[LineageNodeOut], current_id: str) -> str:
    """Rows by generation, nodes in the order given (parents before children), each
    row centred; a line joins every node to its parent when the parent is drawn."""
    rows: dict[int, list[LineageNodeOut]] = {}
    for node in nodes:
        rows.setdefault(node.generation, []).append(node)
    generations = sorted(rows)
    widest = max(len(row) for row in rows.values())
    width: float = MARGIN * 2 + widest * NODE_W + (widest - 1) * GAP_X
    height = MARGIN * 2 + len(generations) * NODE_H + (len(generations) - 1) * GAP_Y
    centres: dict[str, tuple[float, float]] = {}
    for r, generation in enumerate(generations):
        row = rows[generation]
        row_width = len(row) * NODE_W + (len(row) - 1) * GAP_X
        x0 = (width - row_width) / 2
        row_top = MARGIN + r * (NODE_H + GAP_Y)
        for i, node in enumerate(row):
            centres[node.id] = (x0 + i * (NODE_W + GAP_X) + NODE_W / 2, row_top + NODE_H / 2)
    lines = []
    for node in nodes:
        if node.parent_id in centres:
            px, py = centres[node.parent_id]
            cx, cy = centres[node.id]
            lines.append(
                f'<line x1="{px:g}" y1="{py + NODE_H / 2:g}" x2="{cx:g}" '
                f'y2="{cy - NODE_H / 2:g}" stroke="#a89b8c" stroke-width="1.5"/>'
            )
    boxes = []
    for node in nodes:
        cx, cy = centres[node.id]
        x, y = cx - NODE_W / 2, cy - NODE_H / 2
        current = node.id == current_id
        stroke = "#2f6f4f" if current else "#cfc5b8"
        second = f"generation {node.generation}"
        if node.kind is not None:
            second = f"{CULTURE_KIND_LABELS.get(node.kind, node.kind)} · gen {node.generation}"
        boxes.append(
            f'<g class="node" data-id="{escape(node.id)}" data-visibility="{node.visibility}">'
            f'<rect x="{x:g}" y="{y:g}" width="{NODE_W}" height="{NODE_H}" rx="8" '
            f'fill="{_FILL[node.visibility]}" stroke="{stroke}" '
            f'stroke-width="{2.5 if current else 1}"/>'
            f'<text x="{cx:g}" y="{y + 18:g}" font-size="13" font-weight="600" '
            f'text-anchor="middle">{escape(_fit(node.label, NAME_CHARS))}</text>'
            f'<text x="{cx:g}" y="{y + 34:g}" font-size="11" fill="#6b6157" '
            f'text-anchor="middle">{escape(second)}</text></g>'
        )
    return (
        f'<svg class="tree" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
        f'width="{width:g}" height="{height:g}" role="img" aria-label="Family tree" '
        f'font-family="system-ui, sans-serif">{"".join(lines)}{"".join(boxes)}</svg>'
    )


def render_culture_page(summary: PublicCultureOut) -> str:
    kind = CULTURE_KIND_LABELS.get(summary.kind, summary.kind)
    days = "day" if summary.age_days == 1 else "days"
    description = f"{kind}, generation {summary.generation}, {summary.age_days} {days} old."
    lineage = summary.lineage
    nodes = [*reversed(lineage.ancestors), lineage.culture, *lineage.descendants]
    batches = "".join(
        f'<li><a href="{escape(b.page_url)}">{escape(b.name)}</a>'
        f"<time>started {b.started_at:%d %b %Y}</time></li>"
        for b in summary.shared_batches
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(summary.name)} · Kefir</title>
<meta name="description" content="{escape(description)}">
<meta property="og:type" content="website">
<meta property="og:title" content="{escape(summary.name)}">
<meta property="og:description" content="{escape(description)}">
<meta property="og:url" content="{escape(summary.page_url)}">
<meta property="og:site_name" content="Kefir">
<meta name="twitter:card" content="summary">
<style>{_STYLE}
.tree{{max-width:100%;height:auto;display:block;margin:0 auto 1.5rem}}
.scroll{{overflow-x:auto}}</style>
</head>
<body>
<main>
<h1>{escape(summary.name)}</h1>
<p class="meta">{escape(description)}</p>
<h2>Family tree</h2>
<div class="scroll">{tree_svg(nodes, summary.id)}</div>
<h2>Shared batches</h2>
<ol>{batches or "<li>No shared batches yet.</li>"}</ol>
<a class="open" href="{escape(summary.app_url)}">Open in the Kefir app</a>
<footer>Shared from Kefir, the fermentation tracker.</footer>
</main>
</body>
</html>
"""


def render_gift_page(code: str, app_url: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>A culture for you · Kefir</title>
<meta name="robots" content="noindex">
<style>{_STYLE}</style>
</head>
<body>
<main>
<h1>Someone gave you a culture</h1>
<p class="meta">Claim it in the Kefir app with this code (valid for a week, once):</p>
<p><strong class="code">{escape(code)}</strong></p>
<a class="open" href="{escape(app_url)}">Open in the Kefir app</a>
<footer>Kefir, the fermentation tracker.</footer>
</main>
</body>
</html>
"""


MISSING_GIFT_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Not a gift code · Kefir</title>
<meta name="robots" content="noindex"></head>
<body><main><h1>This is not a gift code</h1>
<p>Check the label and try again.</p></main></body>
</html>
"""
