"""Printable labels: the SVG the API serves, rasterised by Chromium, read by a QR decoder."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import zxingcpp
from litestar import Litestar
from litestar.testing import TestClient
from PIL import Image

from tests.chromium import screenshot
from tests.conftest import PUBLIC_BASE_URL, User
from tests.helpers import assert_problem, create_batch

Client = TestClient[Litestar]
SVG = "{http://www.w3.org/2000/svg}"


def test_the_label_carries_name_start_date_and_the_public_url(client: Client, alice: User) -> None:
    batch = create_batch(
        client, alice, name="Ginger & <lemon> kefir", kind="water_kefir",
        startedAt="2026-11-24T09:00:00Z",
    )  # fmt: skip
    response = client.get(f"/batches/{batch['id']}/label.svg", headers=alice.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    # Our own response, parsed to prove it is well-formed despite the & and <.
    root = ElementTree.fromstring(response.content)  # noqa: S314
    assert root.tag == f"{SVG}svg"
    assert root.attrib["width"].endswith("mm")
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Ginger & <lemon> kefir" in texts
    assert "Water kefir · started 24 Nov 2026" in texts
    assert f"{PUBLIC_BASE_URL}/b/{batch['id']}" in texts


def test_a_qr_decoder_reads_the_public_url_from_the_rendered_label(
    client: Client, alice: User, tmp_path: Path
) -> None:
    batch = create_batch(client, alice, name="Jar on the shelf")
    served = client.get(f"/batches/{batch['id']}/label.svg", headers=alice.headers)
    assert served.status_code == 200
    label = tmp_path / "label.svg"
    label.write_bytes(served.content)

    png = screenshot(label.as_uri(), tmp_path / "label.png", width=260, height=300, scale=3)
    found = zxingcpp.read_barcodes(Image.open(png).convert("L"))
    assert [(r.format, r.text) for r in found] == [
        (zxingcpp.BarcodeFormat.QRCode, f"{PUBLIC_BASE_URL}/b/{batch['id']}")
    ]


def test_only_the_owner_gets_a_label(client: Client, alice: User, bob: User) -> None:
    batch = create_batch(client, alice)
    path = f"/batches/{batch['id']}/label.svg"
    assert_problem(client.get(path, headers=bob.headers), 404, "not-found")
    assert_problem(client.get(path), 401, "unauthorized")
    assert_problem(
        client.get("/batches/not-a-batch/label.svg", headers=alice.headers), 404, "not-found"
    )
