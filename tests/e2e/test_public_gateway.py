"""A shared batch through the emulator's API Gateway into the deployed functions."""

from __future__ import annotations

import httpx
import pytest

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
