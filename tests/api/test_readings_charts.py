"""Charts drawn on the server: the owner's SVG and the shared page's inline charts,
checked as XML and, at phone width, in headless Chromium (the screenshot is kept in
build/artefacts/)."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from litestar import Litestar
from litestar.testing import TestClient
from PIL import Image

from tests.chromium import screenshot
from tests.conftest import User
from tests.helpers import REPO, add_event, assert_problem, create_batch
from tests.stream import Filer

Client = TestClient[Litestar]
SVG = "{http://www.w3.org/2000/svg}"
ARTEFACTS = REPO / "build" / "artefacts"
LINE_BLUE = (0x2A, 0x7A, 0xB0)


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def batch_with_readings(client: Client, user: User, file_readings: Filer) -> dict[str, Any]:
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=2)
    batch = create_batch(client, user, kind="kombucha", name="Jun", startedAt=iso(start))
    token = client.post(
        f"/batches/{batch['id']}/sensors", json={"name": "pH"}, headers=user.headers
    ).json()["token"]
    for i in range(24):
        at = iso(start + timedelta(hours=2 * i))
        reading = {"ph": round(4.2 - i * 0.04, 2), "temperatureC": 24 + (i % 3), "at": at}
        assert client.post(f"/ingest/{token}", json=reading).status_code == 200
    file_readings()
    add_event(client, user, batch["id"], type="feed", occurredAt=iso(start + timedelta(hours=20)))
    return batch


def test_chart_svg_has_axes_units_line_and_event_ticks(
    client: Client, alice: User, file_readings: Filer
) -> None:
    batch = batch_with_readings(client, alice, file_readings)
    response = client.get(
        f"/batches/{batch['id']}/chart.svg", params={"metric": "ph"}, headers=alice.headers
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.text)  # noqa: S314 (our own server's answer)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "pH" in texts
    assert len(root.findall(f"{SVG}polyline")) == 1
    ticks = [line for line in root.iter(f"{SVG}line") if line.find(f"{SVG}title") is not None]
    assert [t.find(f"{SVG}title").text for t in ticks] == ["feed"]  # type: ignore[union-attr]
    assert any(t and t.startswith("4.") for t in texts)


def test_an_empty_chart_says_so_and_others_get_404(client: Client, alice: User, bob: User) -> None:
    batch = create_batch(client, alice)
    empty = client.get(f"/batches/{batch['id']}/chart.svg", headers=alice.headers)
    assert "No readings yet" in empty.text
    assert_problem(
        client.get(f"/batches/{batch['id']}/chart.svg", headers=bob.headers), 404, "not-found"
    )


def test_the_shared_page_shows_its_charts_at_phone_width(
    client: Client, alice: User, tmp_path: Path, file_readings: Filer
) -> None:
    batch = batch_with_readings(client, alice, file_readings)
    private = client.get(f"/b/{batch['id']}")
    assert private.status_code == 404
    client.patch(
        f"/batches/{batch['id']}", json={"version": 1, "public": True}, headers=alice.headers
    )
    page = client.get(f"/b/{batch['id']}")
    assert page.status_code == 200
    assert page.text.count("<svg") == 2  # temperature and pH; no gravity was sensed
    assert "<script" not in page.text
    html = tmp_path / "page.html"
    html.write_text(page.text, encoding="utf-8")
    png = screenshot(html.as_uri(), tmp_path / "page.png", width=390, height=1400)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(png, ARTEFACTS / "public-page-charts-390px.png")
    image = Image.open(png).convert("RGB")
    pixels = cast(list[tuple[int, int, int]], list(image.get_flattened_data()))
    blue = [
        (i % image.width, i // image.width)
        for i, pixel in enumerate(pixels)
        if all(abs(a - b) < 30 for a, b in zip(pixel, LINE_BLUE, strict=True))
    ]
    assert len(blue) > 200, "the chart lines are not on the page"
    xs = [x for x, _ in blue]
    assert max(xs) - min(xs) > 200, "the charts do not use the phone's width"
    assert max(xs) < 390
