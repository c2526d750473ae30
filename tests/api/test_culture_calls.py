"""DynamoDB calls per culture request, counted with botocore's event hooks on the app's
client: the culture detail, the family tree (depth d costs at most d+1) and a claim."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from tests.conftest import User, new_user
from tests.helpers import add_culture_event, create_batch, create_culture

Client = TestClient[Litestar]


@pytest.fixture
def calls(app: Litestar) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(event_name: str, **_: Any) -> None:
        seen.append(event_name.rsplit(".", 1)[-1])

    events = app.state.cultures.store.client.meta.events
    events.register("before-call.dynamodb", record)
    yield seen
    events.unregister("before-call.dynamodb", record)


def split(client: Client, user: User, culture_id: str) -> dict[str, Any]:
    response = client.post(f"/cultures/{culture_id}/split", json={}, headers=user.headers)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def test_get_culture_is_one_get_item_with_its_batches_and_stats(
    client: Client, alice: User, calls: list[str]
) -> None:
    culture = create_culture(client, alice)
    for _ in range(3):
        add_culture_event(client, alice, culture["id"])
    starts = ["2026-11-01T08:00:00Z", "2026-11-02T08:00:00Z", "2026-11-03T08:00:00Z"]
    for at in starts:
        create_batch(client, alice, cultureId=culture["id"], startedAt=at)
    calls.clear()
    response = client.get(
        f"/cultures/{culture['id']}", params={"batchesLimit": 2}, headers=alice.headers
    )
    assert response.status_code == 200
    body = response.json()
    assert body["stats"]["lastFedAt"] is not None
    assert body["stats"]["batchesMade"] == 3
    assert body["stats"]["medianBatchHours"] == {"milk_kefir": 24.0}
    assert [b["startedAt"] for b in body["batches"]] == ["2026-11-03T08:00:00Z", starts[1]]
    assert calls == ["GetItem"]


def test_list_create_and_add_event_are_one_call_each(
    client: Client, alice: User, calls: list[str]
) -> None:
    culture = create_culture(client, alice)
    assert calls == ["TransactWriteItems"]
    calls.clear()
    add_culture_event(client, alice, culture["id"], type="weigh", grams=80)
    assert calls == ["TransactWriteItems"]
    calls.clear()
    client.get("/cultures", headers=alice.headers)
    assert calls == ["Query"]


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_lineage_of_depth_d_costs_at_most_d_plus_one_calls(
    client: Client, alice: User, calls: list[str], depth: int
) -> None:
    """A chain root -> … -> leaf of `depth` generations below the root, with two children
    on every level (a wide tree costs no more calls than a thin one)."""
    root = create_culture(client, alice)
    chain = [root]
    for _ in range(depth):
        chain.append(split(client, alice, chain[-1]["id"]))
        split(client, alice, chain[-2]["id"])
    middle = chain[len(chain) // 2]

    for culture in (root, middle, chain[-1]):
        calls.clear()
        response = client.get(f"/cultures/{culture['id']}/lineage", headers=alice.headers)
        assert response.status_code == 200
        body = response.json()
        generations = {n["generation"] for n in [*body["ancestors"], *body["descendants"]]}
        generations.add(body["culture"]["generation"])
        tree_depth = max(generations) - min(generations)
        assert tree_depth <= depth
        assert len(calls) <= tree_depth + 1, calls
        assert calls[0] == "GetItem"
        assert set(calls[1:]) <= {"BatchGetItem"}
    # From the root: itself, then one BatchGetItem per generation below it.
    calls.clear()
    client.get(f"/cultures/{root['id']}/lineage", headers=alice.headers)
    assert calls == ["GetItem"] + ["BatchGetItem"] * depth


def test_claim_is_one_read_of_the_gift_and_one_transaction(
    client: Client, alice: User, calls: list[str], stack: StackOutputs, emulator: Emulator
) -> None:
    recipient = new_user(stack, emulator, "recipient")
    culture = create_culture(client, alice)
    code = client.post(f"/cultures/{culture['id']}/gifts", headers=alice.headers).json()["code"]
    calls.clear()
    response = client.post("/cultures/claim", json={"code": code}, headers=recipient.headers)
    assert response.status_code == 201, response.text
    assert calls == ["GetItem", "TransactWriteItems"]
    calls.clear()
    again = client.post("/cultures/claim", json={"code": code}, headers=recipient.headers)
    assert again.status_code == 409
    assert calls == ["GetItem"]


def test_a_batch_made_by_a_culture_is_one_transaction_and_shows_in_one_read(
    client: Client, alice: User, calls: list[str]
) -> None:
    culture = create_culture(client, alice)
    calls.clear()
    response = client.post(
        "/batches",
        json={"name": "from grains", "kind": "milk_kefir", "cultureId": culture["id"]},
        headers={**alice.headers, "X-Time-Zone": "UTC"},
    )
    assert response.status_code == 201, response.text
    assert calls == ["TransactWriteItems"]
    calls.clear()
    detail = client.get(f"/cultures/{culture['id']}", headers=alice.headers).json()
    assert [b["id"] for b in detail["batches"]] == [response.json()["id"]]
    assert calls == ["GetItem"]


def test_a_batch_without_a_culture_is_still_patched_in_one_call(
    client: Client, alice: User, calls: list[str]
) -> None:
    batch = create_batch(client, alice)
    calls.clear()
    response = client.patch(
        f"/batches/{batch['id']}", json={"version": 1, "name": "renamed"}, headers=alice.headers
    )
    assert response.status_code == 200, response.text
    assert calls == ["UpdateItem"]
