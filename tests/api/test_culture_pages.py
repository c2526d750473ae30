"""The public culture page and its family tree, and the gift label read by a QR decoder."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import zxingcpp
from litestar import Litestar
from litestar.testing import TestClient
from PIL import Image

from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from tests.chromium import dump_dom, screenshot
from tests.conftest import PUBLIC_BASE_URL, User, new_user
from tests.helpers import add_culture_event, assert_problem, create_culture

Client = TestClient[Litestar]
NODE = re.compile(r'<g class="node" data-id="([0-9A-Z]{26})" data-visibility="(\w+)"')


def family(client: Client, owner: User, other: User) -> dict[str, Any]:
    """root (shared) -> split (private) and gift (other account, private) -> grandchild."""
    root = create_culture(client, owner, name="Shared root", notes="PRIVATE-NOTES", public=True)
    add_culture_event(client, owner, root["id"], note="PRIVATE-EVENT")
    split = client.post(
        f"/cultures/{root['id']}/split", json={"name": "Fridge backup"}, headers=owner.headers
    ).json()
    code = client.post(f"/cultures/{root['id']}/gifts", headers=owner.headers).json()["code"]
    gifted = client.post(
        "/cultures/claim", json={"code": code, "name": "OTHER-ACCOUNT-NAME"}, headers=other.headers
    ).json()
    grandchild = client.post(
        f"/cultures/{gifted['id']}/split", json={}, headers=other.headers
    ).json()
    return {"root": root, "split": split, "gifted": gifted, "grandchild": grandchild}


def test_the_public_summary_shows_shared_fields_and_the_tree(
    client: Client, alice: User, stack: StackOutputs, emulator: Emulator
) -> None:
    other = new_user(stack, emulator, "friend")
    tree = family(client, alice, other)
    response = client.get(f"/public/cultures/{tree['root']['id']}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "Shared root"
    assert body["generation"] == 1
    assert body["pageUrl"] == f"{PUBLIC_BASE_URL}/c/{tree['root']['id']}"
    labels = {d["id"]: d["label"] for d in body["lineage"]["descendants"]}
    assert labels == {
        tree["split"]["id"]: "a private culture",
        tree["gifted"]["id"]: "a private culture",
        tree["grandchild"]["id"]: "a private culture",
    }
    for secret in ("PRIVATE-NOTES", "PRIVATE-EVENT", "Fridge backup", "OTHER-ACCOUNT-NAME",
                   alice.sub, alice.email, other.sub):  # fmt: skip
        assert secret not in response.text


def test_a_private_or_unknown_culture_has_no_public_page(client: Client, alice: User) -> None:
    private = create_culture(client, alice)
    for culture_id in (private["id"], "01JZZZZZZZZZZZZZZZZZZZZZZZ", "nope"):
        assert_problem(client.get(f"/public/cultures/{culture_id}"), 404, "not-found")
        page = client.get(f"/c/{culture_id}")
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
    shared = create_culture(client, alice, public=True)
    assert client.get(f"/c/{shared['id']}").status_code == 200
    client.patch(f"/cultures/{shared['id']}", json={"version": 1, "public": False},
                 headers=alice.headers)  # fmt: skip
    assert client.get(f"/c/{shared['id']}").status_code == 404


def test_chromium_reads_the_page_and_its_tree_has_one_node_per_culture(
    client: Client, alice: User, stack: StackOutputs, emulator: Emulator, tmp_path: Path
) -> None:
    other = new_user(stack, emulator, "friend")
    tree = family(client, alice, other)
    response = client.get(f"/c/{tree['root']['id']}")
    assert response.status_code == 200
    html = response.text
    assert '<meta property="og:title" content="Shared root">' in html
    assert f'<meta property="og:url" content="{PUBLIC_BASE_URL}/c/{tree["root"]["id"]}">' in html
    assert "<script" not in html
    page = tmp_path / "culture.html"
    page.write_text(html)

    dom = dump_dom(page.as_uri())
    nodes = NODE.findall(dom)
    assert sorted(culture_id for culture_id, _ in nodes) == sorted(c["id"] for c in tree.values())
    assert dict(nodes)[tree["root"]["id"]] == "shared"
    assert dom.count("<line ") == 3  # one edge per culture with a parent
    for secret in ("PRIVATE-NOTES", "PRIVATE-EVENT", "Fridge backup", "OTHER-ACCOUNT-NAME"):
        assert secret not in dom


def test_the_gift_label_decodes_to_the_claim_link(
    client: Client, alice: User, tmp_path: Path
) -> None:
    culture = create_culture(client, alice, name="Grains for Ben")
    made = client.post(f"/cultures/{culture['id']}/gifts", headers=alice.headers).json()
    served = client.get(
        f"/cultures/{culture['id']}/gifts/{made['code']}/label.svg", headers=alice.headers
    )
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("image/svg+xml")
    assert "Grains for Ben" in served.text
    label = tmp_path / "gift.svg"
    label.write_bytes(served.content)
    png = screenshot(label.as_uri(), tmp_path / "gift.png", width=260, height=300, scale=3)
    found = zxingcpp.read_barcodes(Image.open(png).convert("L"))
    assert [(r.format, r.text) for r in found] == [
        (zxingcpp.BarcodeFormat.QRCode, made["claimUrl"])
    ]


def test_the_claim_link_without_the_app_shows_how_to_claim(client: Client, alice: User) -> None:
    culture = create_culture(client, alice, name="PRIVATE-NAME")
    made = client.post(f"/cultures/{culture['id']}/gifts", headers=alice.headers).json()
    page = client.get(made["claimUrl"].removeprefix(PUBLIC_BASE_URL))
    assert page.status_code == 200
    assert made["code"] in page.text
    assert f'href="kefir://claim/{made["code"]}"' in page.text
    assert "PRIVATE-NAME" not in page.text
    assert client.get("/gift/not-a-code").status_code == 404
