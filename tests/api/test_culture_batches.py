"""Batches made by a culture: `cultureId` on create and PATCH, and the culture's detail
with its batches (newest first, paged) and stats."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

from tests.conftest import User
from tests.helpers import assert_problem, create_batch, create_culture

Client = TestClient[Litestar]


def test_batches_made_by_a_culture_show_in_its_detail_with_stats(
    client: Client, alice: User
) -> None:
    culture = create_culture(client, alice)
    cid = culture["id"]
    starts = ["2026-11-01T08:00:00Z", "2026-11-02T08:00:00Z", "2026-11-03T20:00:00Z"]
    made = [create_batch(client, alice, cultureId=cid, startedAt=at) for at in starts]
    assert {b["cultureId"] for b in made} == {cid}
    create_batch(client, alice)  # not the culture's

    first = client.get(f"/cultures/{cid}", params={"batchesLimit": 2}, headers=alice.headers)
    assert first.status_code == 200, first.text
    body = first.json()
    assert [b["id"] for b in body["batches"]] == [made[2]["id"], made[1]["id"]]
    assert body["nextBatchesCursor"] == made[1]["id"]
    # 24 h, then 36 h: the median of the finished ones; the last is still running.
    assert body["stats"]["batchesMade"] == 3
    assert body["stats"]["medianBatchHours"] == {"milk_kefir": 30.0}

    second = client.get(
        f"/cultures/{cid}",
        params={"batchesLimit": 2, "batchesCursor": body["nextBatchesCursor"]},
        headers=alice.headers,
    ).json()
    assert [b["id"] for b in second["batches"]] == [made[0]["id"]]
    assert second["nextBatchesCursor"] is None


def test_a_batch_can_be_moved_to_a_culture_and_off_it(client: Client, alice: User) -> None:
    culture = create_culture(client, alice)
    batch = create_batch(client, alice)
    path = f"/batches/{batch['id']}"
    moved = client.patch(
        path, json={"version": 1, "cultureId": culture["id"]}, headers=alice.headers
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["cultureId"] == culture["id"]
    detail = client.get(f"/cultures/{culture['id']}", headers=alice.headers).json()
    assert [b["id"] for b in detail["batches"]] == [batch["id"]]

    off = client.patch(path, json={"version": 2, "cultureId": None}, headers=alice.headers)
    assert off.json()["cultureId"] is None
    detail = client.get(f"/cultures/{culture['id']}", headers=alice.headers).json()
    assert detail["batches"] == []
    assert client.get(path, headers=alice.headers).json()["cultureId"] is None


def test_someone_elses_culture_id_on_a_batch_is_404_and_writes_nothing(
    client: Client, alice: User, bob: User
) -> None:
    theirs = create_culture(client, alice)
    refused = client.post(
        "/batches", json={"name": "sneaky", "kind": "milk_kefir", "cultureId": theirs["id"]},
        headers=bob.headers,
    )  # fmt: skip
    assert_problem(refused, 404, "not-found")
    names = [b["name"] for b in client.get("/batches", headers=bob.headers).json()["items"]]
    assert "sneaky" not in names

    batch = create_batch(client, bob)
    refused = client.patch(
        f"/batches/{batch['id']}", json={"version": 1, "cultureId": theirs["id"]},
        headers=bob.headers,
    )  # fmt: skip
    assert_problem(refused, 404, "not-found")
    assert client.get(f"/batches/{batch['id']}", headers=bob.headers).json()["version"] == 1
    assert client.get(f"/cultures/{theirs['id']}", headers=alice.headers).json()["batches"] == []


def test_a_malformed_culture_id_is_a_400(client: Client, alice: User) -> None:
    response = client.post(
        "/batches", json={"name": "x", "kind": "kombucha", "cultureId": "nope"},
        headers=alice.headers,
    )  # fmt: skip
    assert_problem(response, 400, "validation")


def test_a_bad_batches_cursor_is_a_400(client: Client, alice: User) -> None:
    culture = create_culture(client, alice)
    response = client.get(
        f"/cultures/{culture['id']}", params={"batchesCursor": "x"}, headers=alice.headers
    )
    assert_problem(response, 400, "invalid-cursor")
