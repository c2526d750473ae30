"""Sharing a batch: the sparse GSI1 key, the public summary and page, and app links."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.dev.emulator import Emulator, free_port
from app.dev.run import app_environment
from app.dev.stack import StackOutputs
from app.services.photos import cover_key, photo_key
from tests.api.test_photos import exists, upload
from tests.chromium import dump_dom
from tests.conftest import (
    ANDROID_FINGERPRINT,
    ANDROID_PACKAGE,
    APPLE_APP_ID,
    PUBLIC_BASE_URL,
    User,
)
from tests.helpers import add_event, assert_problem, create_batch, wait_for_health

Client = TestClient[Litestar]
ROOT = Path(__file__).resolve().parents[2]
UNKNOWN = "01JAAAAAAAAAAAAAAAAAAAAAAA"


@pytest.fixture(scope="module")
def s3(emulator: Emulator, stack: StackOutputs) -> Any:
    return boto3.client("s3", endpoint_url=emulator.endpoint, region_name=stack.region)


def share(client: Client, user: User, batch: dict[str, Any], on: bool = True) -> dict[str, Any]:
    response = client.patch(
        f"/batches/{batch['id']}",
        json={"version": batch["version"], "public": on},
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    updated: dict[str, Any] = response.json()
    return updated


def gsi1(dynamodb: Any, stack: StackOutputs, user: User, batch_id: str) -> Any:
    item = dynamodb.get_item(
        TableName=stack.table_name,
        Key={"PK": {"S": f"USER#{user.sub}"}, "SK": {"S": f"BATCH#{batch_id}"}},
        ConsistentRead=True,
    )["Item"]
    return item.get("GSI1PK", {}).get("S")


def test_sharing_is_off_until_turned_on_and_off_again(
    client: Client, alice: User, dynamodb: Any, stack: StackOutputs
) -> None:
    batch = create_batch(client, alice)
    assert batch["public"] is False
    assert gsi1(dynamodb, stack, alice, batch["id"]) is None
    assert_problem(client.get(f"/public/batches/{batch['id']}"), 404, "not-found")

    shared = share(client, alice, batch)
    assert (shared["public"], shared["version"]) == (True, batch["version"] + 1)
    assert gsi1(dynamodb, stack, alice, batch["id"]) == f"PUBLIC#{batch['id']}"
    assert client.get(f"/public/batches/{batch['id']}").status_code == 200

    private = share(client, alice, shared, on=False)
    assert private["public"] is False
    assert gsi1(dynamodb, stack, alice, batch["id"]) is None
    assert_problem(client.get(f"/public/batches/{batch['id']}"), 404, "not-found")


def test_sharing_needs_the_current_version(client: Client, alice: User) -> None:
    batch = create_batch(client, alice)
    share(client, alice, batch)
    stale = client.patch(
        f"/batches/{batch['id']}", json={"version": batch["version"], "public": False},
        headers=alice.headers,
    )  # fmt: skip
    assert_problem(stale, 409, "stale-version")
    assert client.get(f"/public/batches/{batch['id']}").status_code == 200


def test_the_summary_shows_the_batch_and_nothing_of_its_owner(client: Client, alice: User) -> None:
    batch = create_batch(
        client, alice, name="Kombucha jar", kind="kombucha", startedAt="2026-11-20T08:00:00Z",
        notes="private notes",
    )  # fmt: skip
    for i in range(7):
        add_event(client, alice, batch["id"], type="note", note=f"note {i}")
    photo = upload(client, alice, batch["id"])
    share(client, alice, batch)

    response = client.get(f"/public/batches/{batch['id']}")
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("public")
    body = response.json()
    assert body["name"] == "Kombucha jar"
    assert (body["kind"], body["status"]) == ("kombucha", "active")
    assert body["startedAt"].startswith("2026-11-20T08:00:00")
    assert body["ageDays"] >= 6
    assert [e["type"] for e in body["recentEvents"]] == ["note"] * 5
    assert all("note" not in e for e in body["recentEvents"])  # event notes stay private
    assert body["pageUrl"] == f"{PUBLIC_BASE_URL}/b/{batch['id']}"
    assert body["appUrl"] == f"kefir://batches/{batch['id']}"
    assert body["coverPhotoUrl"] == f"{PUBLIC_BASE_URL}/public/batches/{batch['id']}/cover"
    for secret in (alice.sub, alice.email, "private notes", "note 6", "USER#"):
        assert secret not in response.text
    page = client.get(f"/b/{batch['id']}")
    for secret in (alice.sub, alice.email, "private notes", "note 6"):
        assert secret not in page.text

    cover = client.get(f"/public/batches/{batch['id']}/cover", follow_redirects=False)
    assert cover.status_code == 302
    # Item 10 (issue 10): the URL names a copy keyed by batch and photo, not the owner.
    location = cover.headers["location"]
    assert alice.sub not in location
    assert f"covers/{batch['id']}/{photo['id']}" in location
    image = httpx.get(location)
    assert image.status_code == 200
    assert len(image.content) == photo["size"]


def test_unknown_and_private_batches_answer_the_same_404(client: Client, alice: User) -> None:
    private = create_batch(client, alice)
    for path in ("/public/batches/{}", "/public/batches/{}/cover", "/b/{}"):
        a = client.get(path.format(private["id"]), follow_redirects=False)
        b = client.get(path.format(UNKNOWN), follow_redirects=False)
        c = client.get(path.format("not-an-id"), follow_redirects=False)
        assert a.status_code == b.status_code == c.status_code == 404
        assert a.headers["content-type"] == b.headers["content-type"]
        if path.startswith("/b/"):
            assert a.text == b.text == c.text
        else:
            strip = [{k: v for k, v in r.json().items() if k != "instance"} for r in (a, b, c)]
            assert strip[0] == strip[1] == strip[2]


def test_the_page_is_plain_html_with_open_graph_and_an_app_link(
    client: Client, alice: User
) -> None:
    batch = create_batch(client, alice, name="Milk <kefir> & co")
    share(client, alice, batch)
    response = client.get(f"/b/{batch['id']}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "public, max-age=300"
    html = response.text
    assert "<script" not in html.lower()
    assert 'property="og:title" content="Milk &lt;kefir&gt; &amp; co"' in html
    assert f'property="og:url" content="{PUBLIC_BASE_URL}/b/{batch["id"]}"' in html
    assert f'href="kefir://batches/{batch["id"]}"' in html
    assert 'name="viewport"' in html
    assert alice.sub not in html


def test_a_missing_page_is_a_friendly_404(client: Client) -> None:
    response = client.get(f"/b/{UNKNOWN}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "isn't shared" in response.text
    assert "cache-control" in response.headers


def test_app_link_files_for_ios_and_android(client: Client) -> None:
    apple = client.get("/.well-known/apple-app-site-association")
    assert apple.status_code == 200
    assert apple.headers["content-type"] == "application/json"
    detail = apple.json()["applinks"]["details"][0]
    assert detail["appIDs"] == [APPLE_APP_ID]
    assert {"/": "/b/*", "comment": "a shared batch"} in detail["components"]
    assert detail["paths"] == ["/b/*", "/c/*", "/gift/*"]

    android = client.get("/.well-known/assetlinks.json")
    assert android.status_code == 200
    assert android.headers["content-type"] == "application/json"
    [statement] = android.json()
    assert statement["relation"] == ["delegate_permission/common.handle_all_urls"]
    assert statement["target"] == {
        "namespace": "android_app",
        "package_name": ANDROID_PACKAGE,
        "sha256_cert_fingerprints": [ANDROID_FINGERPRINT],
    }


# --- the page in a real browser, served by the app under uvicorn -------------------------


@pytest.fixture(scope="module")
def served_app(emulator: Emulator, stack: StackOutputs, tmp_path_factory: Any) -> Iterator[str]:
    """`uvicorn app.main:create_app --factory`, configured like `make run`."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(app_environment(emulator.endpoint, stack))
    env.update(PUBLIC_BASE_URL=base, LOG_LEVEL="WARNING")
    log = tmp_path_factory.mktemp("uvicorn") / "uvicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        wait_for_health(base, process, lambda: log.read_text()[-3000:])
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


class _Text(HTMLParser):
    """The text a person sees: everything outside <head>, <style> and <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self.images: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"head", "style", "script"}:
            self._hidden += 1
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
        if tag == "img" and values.get("src"):
            self.images.append(str(values["src"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"head", "style", "script"}:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(" ".join(data.split()))


def visible(dom: str) -> _Text:
    parser = _Text()
    parser.feed(dom)
    return parser


def test_chromium_shows_the_shared_batch_page(client: Client, alice: User, served_app: str) -> None:
    batch = create_batch(
        client, alice, name="Sunday sourdough", kind="sourdough",
        startedAt="2026-11-22T07:30:00Z",
    )  # fmt: skip
    add_event(client, alice, batch["id"], type="feed", note="200 g flour")
    add_event(client, alice, batch["id"], type="measure", ph=4.2, temperatureC=24.5)
    upload(client, alice, batch["id"])
    share(client, alice, batch)

    page = visible(dump_dom(f"{served_app}/b/{batch['id']}"))
    text = " | ".join(page.parts)
    assert "Sunday sourdough" in text
    assert "Sourdough, active, started 22 Nov 2026" in text
    assert "Measured · pH 4.2 · 24.5 °C" in text
    assert "Fed" in text
    assert "200 g flour" not in text  # event notes are not public
    assert "Open in the Kefir app" in text
    assert f"kefir://batches/{batch['id']}" in page.links
    assert page.images == [f"{served_app}/public/batches/{batch['id']}/cover"]
    assert alice.sub not in text


def test_chromium_shows_the_friendly_404(served_app: str) -> None:
    page = visible(dump_dom(f"{served_app}/b/{UNKNOWN}"))
    assert "This batch isn't shared" in " ".join(page.parts)


# --- item 10 and 11 (issue 10) ----------------------------------------------------------


def test_a_cover_copy_follows_the_photo_and_the_batch_out(
    client: Client, alice: User, s3: Any, stack: StackOutputs
) -> None:
    batch = create_batch(client, alice)
    first = upload(client, alice, batch["id"])
    share(client, alice, batch)
    path = f"/public/batches/{batch['id']}/cover"
    assert client.get(path, follow_redirects=False).status_code == 302
    first_copy = cover_key(batch["id"], first["id"])
    assert exists(s3, stack.photos_bucket, first_copy)
    assert client.get(path, follow_redirects=False).status_code == 302  # copied once, reused

    client.delete(f"/batches/{batch['id']}/photos/{first['id']}", headers=alice.headers)
    assert not exists(s3, stack.photos_bucket, first_copy)
    assert client.get(path, follow_redirects=False).status_code == 404

    second = upload(client, alice, batch["id"])
    location = client.get(path, follow_redirects=False).headers["location"]
    assert f"covers/{batch['id']}/{second['id']}" in location
    assert alice.sub not in location
    assert client.delete(f"/batches/{batch['id']}", headers=alice.headers).status_code == 204
    assert not exists(s3, stack.photos_bucket, cover_key(batch["id"], second["id"]))


def test_cover_copies_expire_by_a_lifecycle_rule(s3: Any, stack: StackOutputs) -> None:
    rules = s3.get_bucket_lifecycle_configuration(Bucket=stack.photos_bucket)["Rules"]
    covers = [r for r in rules if r.get("Filter", {}).get("Prefix") == "covers/"]
    assert [(r["Status"], r["Expiration"]["Days"]) for r in covers] == [("Enabled", 1)]


def _policy(header: str) -> dict[str, list[str]]:
    directives = [d.split() for d in header.split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


@pytest.mark.parametrize("shared", [True, False])
def test_the_page_forbids_scripts_and_allows_only_its_own_style(
    client: Client, alice: User, shared: bool
) -> None:
    batch = create_batch(client, alice, name="<script>alert(1)</script>")
    if shared:
        share(client, alice, batch)
    response = client.get(f"/b/{batch['id'] if shared else UNKNOWN}")
    assert response.status_code == (200 if shared else 404)
    policy = _policy(response.headers["content-security-policy"])
    assert policy["default-src"] == ["'none'"]
    assert "script-src" not in policy  # falls back to default-src 'none'
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["img-src"] == ["'self'", "https:"]
    style = re.search(r"<style>(.*?)</style>", response.text, re.DOTALL)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert policy["style-src"] == [f"'sha256-{digest}'"]
    assert "<script" not in response.text
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_cover_whose_object_is_gone_is_404_not_500(
    client: Client, alice: User, s3: Any, stack: StackOutputs
) -> None:
    batch = create_batch(client, alice)
    photo = upload(client, alice, batch["id"])
    share(client, alice, batch)
    s3.delete_object(Bucket=stack.photos_bucket, Key=photo_key(alice.sub, batch["id"], photo["id"]))
    response = client.get(f"/public/batches/{batch['id']}/cover", follow_redirects=False)
    assert_problem(response, 404, "not-found")
