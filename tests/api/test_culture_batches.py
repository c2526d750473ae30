"""Batches made by a culture: `cultureId` on create and PATCH, and the culture's detail
with its batches (newest first, paged) and stats."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from app.config import Settings
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


def detail(client: Client, user: User, culture_id: str) -> dict[str, Any]:
    response = client.get(f"/cultures/{culture_id}", headers=user.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_detail_follows_renames_restarts_closes_and_deletes(
    client: Client, alice: User
) -> None:
    """What the culture keeps of its batches is written with every change of them."""
    cid = create_culture(client, alice)["id"]
    first = create_batch(client, alice, cultureId=cid, startedAt="2026-11-01T08:00:00Z")
    second = create_batch(client, alice, cultureId=cid, startedAt="2026-11-02T08:00:00Z")
    third = create_batch(client, alice, cultureId=cid, startedAt="2026-11-03T08:00:00Z")
    path = f"/batches/{second['id']}"
    changed = client.patch(
        path,
        json={"version": 1, "name": "Renamed", "status": "finished",
              "startedAt": "2026-11-02T20:00:00Z"},
        headers=alice.headers,
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    stored = client.get(path, headers=alice.headers).json()
    assert {k: stored[k] for k in changed.json()} == changed.json()
    body = detail(client, alice, cid)
    shown = {b["id"]: b for b in body["batches"]}
    assert shown[second["id"]] == {
        "id": second["id"], "name": "Renamed", "kind": "milk_kefir", "status": "finished",
        "startedAt": "2026-11-02T20:00:00Z",
    }  # fmt: skip
    # 36 h then 12 h: the median is 24 h.
    assert body["stats"]["medianBatchHours"] == {"milk_kefir": 24.0}

    assert client.delete(f"/batches/{first['id']}", headers=alice.headers).status_code == 204
    body = detail(client, alice, cid)
    assert [b["id"] for b in body["batches"]] == [third["id"], second["id"]]
    assert body["stats"]["batchesMade"] == 2
    assert body["stats"]["medianBatchHours"] == {"milk_kefir": 12.0}


def test_a_batch_moved_between_cultures_leaves_one_and_joins_the_other(
    client: Client, alice: User
) -> None:
    one, other = create_culture(client, alice)["id"], create_culture(client, alice)["id"]
    batch = create_batch(client, alice, cultureId=one)
    moved = client.patch(
        f"/batches/{batch['id']}", json={"version": 1, "cultureId": other}, headers=alice.headers
    )
    assert moved.status_code == 200, moved.text
    assert detail(client, alice, one)["batches"] == []
    assert [b["id"] for b in detail(client, alice, other)["batches"]] == [batch["id"]]
    assert detail(client, alice, other)["stats"]["batchesMade"] == 1


def test_bottles_of_a_cultures_batch_are_the_cultures_too(client: Client, alice: User) -> None:
    cid = create_culture(client, alice)["id"]
    parent = create_batch(client, alice, cultureId=cid)
    split = client.post(
        f"/batches/{parent['id']}/split", json={"name": "F2", "count": 2}, headers=alice.headers
    )
    assert split.status_code == 201, split.text
    assert len(detail(client, alice, cid)["batches"]) == 3


def test_a_batch_whose_culture_was_deleted_can_still_change_and_go(
    client: Client, alice: User
) -> None:
    cid = create_culture(client, alice)["id"]
    batch = create_batch(client, alice, cultureId=cid)
    assert client.delete(f"/cultures/{cid}", headers=alice.headers).status_code == 204
    path = f"/batches/{batch['id']}"
    renamed = client.patch(path, json={"version": 1, "name": "orphan"}, headers=alice.headers)
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "orphan"
    assert client.delete(path, headers=alice.headers).status_code == 204
    assert_problem(client.get(f"/cultures/{cid}", headers=alice.headers), 404, "not-found")


def test_a_culture_deleted_while_a_batch_is_linked_to_it_is_not_linked(
    client: Client, alice: User, app: Litestar, dynamodb: Any, settings: Settings
) -> None:
    """The culture goes between the PATCH's read of the batch and its write: the check
    is part of the write (a condition in its transaction), so the link fails with 404."""
    cid = create_culture(client, alice)["id"]
    batch = create_batch(client, alice)
    deleted: list[str] = []

    def delete_the_culture(**_: Any) -> None:
        if not deleted:
            deleted.append(cid)
            dynamodb.delete_item(
                TableName=settings.table_name,
                Key={"PK": {"S": f"USER#{alice.sub}"}, "SK": {"S": f"CULTURE#{cid}"}},
            )

    events = app.state.batches.store.client.meta.events
    for operation in ("UpdateItem", "TransactWriteItems"):
        events.register(f"before-call.dynamodb.{operation}", delete_the_culture)
    try:
        response = client.patch(
            f"/batches/{batch['id']}", json={"version": 1, "cultureId": cid}, headers=alice.headers
        )
    finally:
        for operation in ("UpdateItem", "TransactWriteItems"):
            events.unregister(f"before-call.dynamodb.{operation}", delete_the_culture)
    assert deleted == [cid]
    assert_problem(response, 404, "not-found")
    stored = client.get(f"/batches/{batch['id']}", headers=alice.headers).json()
    assert stored["cultureId"] is None
    assert stored["version"] == 1
    item = dynamodb.get_item(
        TableName=settings.table_name,
        Key={"PK": {"S": f"USER#{alice.sub}"}, "SK": {"S": f"CULTURE#{cid}"}},
        ConsistentRead=True,
    )
    assert "Item" not in item  # and no stub of it was written either
