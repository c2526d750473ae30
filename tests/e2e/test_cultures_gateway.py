"""Issue 13's acceptance, end to end: through the emulator's API Gateway (JWT authorizer)
into the deployed zip functions, the label read by Chromium and zxing-cpp, the public
page read by Chromium."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
import zxingcpp
from PIL import Image

from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.domain.cultures import gift_code_hash, normalize_gift_code
from tests.api.test_photos import image_bytes
from tests.chromium import dump_dom, screenshot
from tests.conftest import User, new_user

pytestmark = pytest.mark.e2e
NODE = re.compile(r'<g class="node" data-id="([0-9A-Z]{26})"')


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def claim_code_from_label(gateway: httpx.Client, a: User, path: str, tmp_path: Path) -> str:
    label = gateway.get(path, headers=a.headers)
    assert label.status_code == 200, label.text
    svg = tmp_path / "gift.svg"
    svg.write_bytes(label.content)
    png = screenshot(svg.as_uri(), tmp_path / "gift.png", width=260, height=300, scale=3)
    [found] = zxingcpp.read_barcodes(Image.open(png).convert("L"))
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    assert "/gift/" in found.text
    return found.text.rsplit("/gift/", 1)[1]


def test_cultures_end_to_end_through_the_gateway(
    gateway: httpx.Client,
    stack: StackOutputs,
    emulator: Emulator,
    dynamodb: Any,
    tmp_path: Path,
) -> None:
    a = new_user(stack, emulator, "a-giver")
    b = new_user(stack, emulator, "b-taker")
    ok(gateway.get("/me", headers=a.headers))

    # A: grains, two batches from them (one with a photo), a split, a gift.
    grains = ok(gateway.post("/cultures", headers=a.headers, json={
        "name": "A-GRAINS", "kind": "milk_kefir_grains", "notes": "A-NOTES", "public": True,
    }), 201)  # fmt: skip
    ok(gateway.post(f"/cultures/{grains['id']}/events", headers=a.headers,
                    json={"type": "weigh", "grams": 25, "note": "A-EVENT"}), 201)  # fmt: skip
    batches = [
        ok(
            gateway.post(
                "/batches",
                headers=a.headers,
                json={
                    "name": f"A-BATCH-{i}",
                    "kind": "milk_kefir",
                    "cultureId": grains["id"],
                },
            ),
            201,
        )
        for i in range(2)
    ]
    form = ok(gateway.post(f"/batches/{batches[0]['id']}/photos/upload", headers=a.headers,
                           json={"contentType": "image/png"}))  # fmt: skip
    sent = httpx.post(form["url"], data=form["fields"],
                      files={"file": ("p.png", image_bytes(), "image/png")})  # fmt: skip
    assert sent.status_code == 204, sent.text
    ok(gateway.post(f"/batches/{batches[0]['id']}/photos", headers=a.headers,
                    json={"photoId": form["photoId"]}), 201)  # fmt: skip
    detail = ok(gateway.get(f"/cultures/{grains['id']}", headers=a.headers))
    assert sorted(x["id"] for x in detail["batches"]) == sorted(x["id"] for x in batches)
    assert detail["stats"]["batchesMade"] == 2
    split = ok(gateway.post(f"/cultures/{grains['id']}/split", headers=a.headers, json={}), 201)
    gift = ok(gateway.post(f"/cultures/{grains['id']}/gifts", headers=a.headers), 201)

    # B: the code from the printed label, decoded; the claim; generation 2.
    label = f"/cultures/{grains['id']}/gifts/{gift['code']}/label.svg"
    assert gift["labelUrl"].endswith(label)
    code = claim_code_from_label(gateway, a, label, tmp_path)
    assert code == gift["code"]
    mine = ok(gateway.post("/cultures/claim", headers=b.headers, json={"code": code}), 201)
    assert (mine["generation"], mine["parentId"]) == (2, grains["id"])
    tree = gateway.get(f"/cultures/{mine['id']}/lineage", headers=b.headers)
    [parent] = ok(tree)["ancestors"]
    assert (parent["id"], parent["visibility"], parent["name"]) == (
        grains["id"],
        "shared",
        "A-GRAINS",
    )
    assert set(parent) == {"id", "parentId", "generation", "visibility", "label", "name", "kind",
                           "ageDays"}  # fmt: skip
    for secret in ("A-NOTES", "A-EVENT", a.email, a.sub, "A-BATCH"):
        assert secret not in tree.text

    # A second claim of the same code: 409. An expired code: 410.
    again = gateway.post("/cultures/claim", headers=b.headers, json={"code": code})
    assert again.status_code == 409, again.text
    assert again.headers["content-type"].startswith("application/problem+json")
    stale = ok(gateway.post(f"/cultures/{grains['id']}/gifts", headers=a.headers), 201)
    normalized = normalize_gift_code(stale["code"])
    assert normalized is not None
    dynamodb.update_item(  # a week goes by
        TableName=stack.table_name,
        Key={"PK": {"S": f"GIFT#{gift_code_hash(normalized)}"}, "SK": {"S": "GIFT"}},
        UpdateExpression="SET expiresAt = :past",
        ExpressionAttributeValues={
            ":past": {"N": str(int((datetime.now(UTC) - timedelta(seconds=1)).timestamp()))}
        },
    )
    expired = gateway.post("/cultures/claim", headers=b.headers, json={"code": stale["code"]})
    assert expired.status_code == 410, expired.text

    # Concurrent claims of one code, by four accounts at once: exactly one culture.
    contested = ok(gateway.post(f"/cultures/{grains['id']}/gifts", headers=a.headers), 201)
    claimants = [new_user(stack, emulator, f"racer{i}") for i in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(
            lambda u: gateway.post("/cultures/claim", headers=u.headers,
                                   json={"code": contested["code"]}),
            claimants,
        ))  # fmt: skip
    assert sorted(r.status_code for r in answers) == [201, 409, 409, 409]
    owned = [c for u in claimants for c in ok(gateway.get("/cultures", headers=u.headers))["items"]]
    assert len(owned) == 1

    # The public page, read by Chromium: one tree node per culture.
    page_url = f"{gateway.base_url}".rstrip("/") + f"/c/{grains['id']}"
    dom = dump_dom(page_url)
    drawn = NODE.findall(dom)
    assert sorted(drawn) == sorted([grains["id"], split["id"], mine["id"], owned[0]["id"]])
    assert "A-NOTES" not in dom
    assert "A-EVENT" not in dom

    # A deletes the account: B's culture stays, its parent "a deleted culture".
    assert gateway.delete("/me", headers=a.headers).status_code in (202, 204)
    still = ok(gateway.get(f"/cultures/{mine['id']}", headers=b.headers))
    assert still["parentId"] == grains["id"]
    [parent] = ok(gateway.get(f"/cultures/{mine['id']}/lineage", headers=b.headers))["ancestors"]
    assert (parent["visibility"], parent["label"]) == ("deleted", "a deleted culture")
    # The account's own deletion tombstone (DELETED#<sub>, expiring) is all that names it.
    scanned = json.dumps(
        [i for p in dynamodb.get_paginator("scan").paginate(TableName=stack.table_name)
         for i in p["Items"] if not i["PK"]["S"].startswith("DELETED#")]
    )  # fmt: skip
    for trace in (a.sub, a.email, "A-GRAINS", "A-NOTES", "A-EVENT", "A-BATCH"):
        assert trace not in scanned, trace
    s3 = boto3.client("s3", endpoint_url=emulator.endpoint, region_name=stack.region)
    for prefix in (f"users/{a.sub}/", f"pending/users/{a.sub}/"):
        assert s3.list_objects_v2(Bucket=stack.photos_bucket, Prefix=prefix).get("KeyCount") == 0
