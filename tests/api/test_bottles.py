"""Bottles from a batch: child batches with their own labels and public pages that link
back to the first ferment and the culture, while those are shared."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.conftest import PUBLIC_BASE_URL, User
from tests.helpers import assert_problem, create_batch, create_culture

Client = TestClient[Litestar]


def split(client: Client, user: User, batch_id: str, **body: Any) -> Any:
    return client.post(
        f"/batches/{batch_id}/split", json={"name": "F2 ginger", "count": 3, **body},
        headers=user.headers,
    )  # fmt: skip


def share(client: Client, user: User, path: str, version: int) -> None:
    response = client.patch(path, json={"version": version, "public": True}, headers=user.headers)
    assert response.status_code == 200, response.text


def test_a_batch_splits_into_bottles_of_its_kind_and_culture(client: Client, alice: User) -> None:
    culture = create_culture(client, alice, kind="water_kefir_grains")
    parent = create_batch(client, alice, kind="water_kefir", cultureId=culture["id"])
    response = split(client, alice, parent["id"])
    assert response.status_code == 201, response.text
    bottles = response.json()["bottles"]
    assert [b["name"] for b in bottles] == ["F2 ginger 1/3", "F2 ginger 2/3", "F2 ginger 3/3"]
    assert {(b["kind"], b["cultureId"], b["parentBatchId"], b["status"]) for b in bottles} == {
        ("water_kefir", culture["id"], parent["id"], "active")
    }
    for bottle in bottles:
        got = client.get(f"/batches/{bottle['id']}", headers=alice.headers).json()
        assert got["parentBatchId"] == parent["id"]
        label = client.get(f"/batches/{bottle['id']}/label.svg", headers=alice.headers)
        assert label.status_code == 200
        assert f"{PUBLIC_BASE_URL}/b/{bottle['id']}" in label.text
    events = client.get(f"/batches/{parent['id']}/events", headers=alice.headers).json()
    assert [(e["type"], e["note"]) for e in events["items"]] == [("bottle", "Split into 3 bottles")]
    detail = client.get(f"/cultures/{culture['id']}", headers=alice.headers).json()
    assert detail["stats"]["batchesMade"] == 4


def test_bad_counts_foreign_and_closed_batches(client: Client, alice: User, bob: User) -> None:
    parent = create_batch(client, alice)
    for count in (0, 25):
        assert_problem(split(client, alice, parent["id"], count=count), 400, "validation")
    assert_problem(split(client, bob, parent["id"]), 404, "not-found")
    assert_problem(split(client, alice, "nope"), 404, "not-found")
    client.patch(
        f"/batches/{parent['id']}", json={"version": 1, "status": "finished"}, headers=alice.headers
    )
    assert_problem(split(client, alice, parent["id"]), 409, "batch-closed")
    listed = client.get("/batches", params={"limit": 100}, headers=alice.headers).json()["items"]
    assert not [b for b in listed if b["parentBatchId"] == parent["id"]]


def test_a_bottle_page_links_back_only_to_what_is_shared(client: Client, alice: User) -> None:
    culture = create_culture(client, alice)
    parent = create_batch(client, alice, cultureId=culture["id"])
    bottle = split(client, alice, parent["id"], count=1).json()["bottles"][0]
    share(client, alice, f"/batches/{bottle['id']}", 1)

    summary = client.get(f"/public/batches/{bottle['id']}").json()
    assert summary["parentPageUrl"] is None
    assert summary["culturePageUrl"] is None

    share(client, alice, f"/batches/{parent['id']}", 1)
    share(client, alice, f"/cultures/{culture['id']}", 1)
    summary = client.get(f"/public/batches/{bottle['id']}").json()
    assert summary["parentPageUrl"] == f"{PUBLIC_BASE_URL}/b/{parent['id']}"
    assert summary["culturePageUrl"] == f"{PUBLIC_BASE_URL}/c/{culture['id']}"
    page = client.get(f"/b/{bottle['id']}").text
    assert f'href="{PUBLIC_BASE_URL}/b/{parent["id"]}"' in page
    assert f'href="{PUBLIC_BASE_URL}/c/{culture["id"]}"' in page
    culture_page = client.get(f"/c/{culture['id']}").text
    assert f'href="{PUBLIC_BASE_URL}/b/{parent["id"]}"' in culture_page
    assert f'href="{PUBLIC_BASE_URL}/b/{bottle["id"]}"' in culture_page
