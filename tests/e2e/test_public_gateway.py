"""A shared batch through the emulator's API Gateway into the deployed functions."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.config import load_settings
from app.dev.emulator import Emulator
from app.dev.run import app_environment
from app.dev.stack import StackOutputs
from app.main import create_app
from tests.api.test_photos import image_bytes
from tests.conftest import User

pytestmark = pytest.mark.e2e


def test_through_the_gateway_photos_sharing_and_the_public_page(
    gateway: httpx.Client, alice: User
) -> None:
    """The deployed zip functions: upload and confirm via `api`, the page via `public`
    with no token, the export via `export`."""
    created = gateway.post(
        "/batches", json={"name": "Gateway jar", "kind": "kombucha"}, headers=alice.headers
    )
    assert created.status_code == 201, created.text
    batch = created.json()
    form = gateway.post(
        f"/batches/{batch['id']}/photos/upload",
        json={"contentType": "image/png"},
        headers=alice.headers,
    )
    assert form.status_code == 200, form.text
    body = image_bytes()
    sent = httpx.post(
        form.json()["url"],
        data=form.json()["fields"],
        files={"file": ("p.png", body, "image/png")},
    )
    assert sent.status_code == 204, sent.text
    confirmed = gateway.post(
        f"/batches/{batch['id']}/photos",
        json={"photoId": form.json()["photoId"]},
        headers=alice.headers,
    )
    assert confirmed.status_code == 201, confirmed.text
    assert httpx.get(confirmed.json()["url"]).content == body
    shared = gateway.patch(
        f"/batches/{batch['id']}", json={"version": 1, "public": True}, headers=alice.headers
    )
    assert shared.status_code == 200, shared.text

    page = gateway.get(f"/b/{batch['id']}")
    assert page.status_code == 200, page.text
    assert "Gateway jar" in page.text
    summary = gateway.get(f"/public/batches/{batch['id']}")
    assert summary.status_code == 200, summary.text
    assert summary.json()["coverPhotoUrl"].endswith(f"/public/batches/{batch['id']}/cover")

    exported = gateway.get("/export.csv", headers=alice.headers)
    assert exported.status_code == 200, exported.text
    assert batch["id"] in exported.text


# Issue 11, part 6: the local environment's clearly fake app-link ids (its defaults).
EXAMPLE_APPLE_APP_ID = "EXAMPLE000.example.kefir.app"
EXAMPLE_ANDROID_PACKAGE = "example.kefir.app"


def _serves_the_example_app_links(http: httpx.Client | TestClient[Litestar]) -> None:
    apple = http.get("/.well-known/apple-app-site-association")
    assert apple.status_code == 200, apple.text
    assert apple.json()["applinks"]["details"][0]["appIDs"] == [EXAMPLE_APPLE_APP_ID]
    android = http.get("/.well-known/assetlinks.json")
    assert android.status_code == 200, android.text
    [statement] = android.json()
    assert statement["target"]["package_name"] == EXAMPLE_ANDROID_PACKAGE
    assert statement["target"]["sha256_cert_fingerprints"] == [":".join(["00"] * 32)]


def test_the_local_stack_serves_example_app_links_through_the_gateway(
    gateway: httpx.Client,
) -> None:
    """The deployed public function, with the settings Terraform gave it."""
    _serves_the_example_app_links(gateway)


def test_make_run_serves_example_app_links(emulator: Emulator, stack: StackOutputs) -> None:
    """`make run` serves the app on the settings the local stack outputs: with no
    app-link variable given, both files answer with the example ids, not 404."""
    settings = load_settings(app_environment(emulator.endpoint, stack))
    with TestClient(create_app(settings)) as client:
        _serves_the_example_app_links(client)
