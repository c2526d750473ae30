"""Splits, gifts and the family tree across accounts, over HTTP against the emulator."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.domain.cultures import child_of, gift_code_hash, normalize_gift_code
from app.domain.errors import GiftClaimed, GiftExpired
from app.store.cultures import culture_to_item
from tests.conftest import PUBLIC_BASE_URL, User, new_user
from tests.helpers import add_culture_event, assert_problem, create_culture

Client = TestClient[Litestar]


@pytest.fixture
def carol(stack: StackOutputs, emulator: Emulator) -> User:
    """A fresh account per test: lineage tests look at everything one account has."""
    return new_user(stack, emulator, "carol")


@pytest.fixture
def dave(stack: StackOutputs, emulator: Emulator) -> User:
    return new_user(stack, emulator, "dave")


def gift(client: Client, user: User, culture_id: str) -> dict[str, Any]:
    response = client.post(f"/cultures/{culture_id}/gifts", headers=user.headers)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def claim(client: Client, user: User, code: str) -> Any:
    return client.post("/cultures/claim", json={"code": code}, headers=user.headers)


def claim_named(client: Client, user: User, code: str, name: str) -> dict[str, Any]:
    response = client.post(
        "/cultures/claim", json={"code": code, "name": name}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def lineage(client: Client, user: User, culture_id: str) -> Any:
    response = client.get(f"/cultures/{culture_id}/lineage", headers=user.headers)
    assert response.status_code == 200, response.text
    return response


def test_split_makes_a_child_in_the_same_account_and_logs_it(client: Client, carol: User) -> None:
    parent = create_culture(client, carol, name="Mother starter", kind="sourdough_starter")
    response = client.post(f"/cultures/{parent['id']}/split", json={}, headers=carol.headers)
    assert response.status_code == 201, response.text
    child = response.json()
    assert child["parentId"] == parent["id"]
    assert child["generation"] == 2
    assert child["origin"] == "split"
    assert child["name"] == "Mother starter (split)"
    assert child["kind"] == "sourdough_starter"

    events = client.get(f"/cultures/{parent['id']}/events", headers=carol.headers).json()
    assert [e["type"] for e in events["items"]] == ["split"]

    tree = lineage(client, carol, parent["id"]).json()
    assert tree["culture"]["generation"] == 1
    assert tree["ancestors"] == []
    assert [(d["id"], d["generation"], d["visibility"]) for d in tree["descendants"]] == [
        (child["id"], 2, "mine")
    ]
    up = lineage(client, carol, child["id"]).json()
    assert [(a["id"], a["generation"], a["label"]) for a in up["ancestors"]] == [
        (parent["id"], 1, "Mother starter")
    ]


def test_a_gift_code_is_shown_once_and_stored_only_as_its_hash(
    client: Client, carol: User, dynamodb: Any, settings: Any
) -> None:
    culture = create_culture(client, carol)
    made = gift(client, carol, culture["id"])
    assert made["claimUrl"] == f"{PUBLIC_BASE_URL}/gift/{made['code']}"
    expires = datetime.fromisoformat(made["expiresAt"])
    assert timedelta(days=6, hours=23) < expires - datetime.now(UTC) <= timedelta(days=7)
    code = normalize_gift_code(made["code"])
    assert code is not None
    item = dynamodb.get_item(
        TableName=settings.table_name,
        Key={"PK": {"S": f"GIFT#{gift_code_hash(code)}"}, "SK": {"S": "GIFT"}},
    )["Item"]
    assert int(item["expiresAt"]["N"]) == int(expires.timestamp())
    assert code not in json.dumps(item)
    assert made["code"] not in json.dumps(item)


def test_claiming_a_gift_makes_the_recipients_culture_one_generation_on(
    client: Client, carol: User, dave: User
) -> None:
    grains = create_culture(
        client, carol, name="Carol's grains", notes="secret: raw milk from the farm"
    )
    add_culture_event(client, carol, grains["id"], note="fed at the farm")
    made = gift(client, carol, grains["id"])

    response = claim(client, dave, made["code"].lower().replace("-", " "))
    assert response.status_code == 201, response.text
    mine = response.json()
    assert mine["parentId"] == grains["id"]
    assert mine["generation"] == 2
    assert mine["origin"] == "gift"
    assert mine["name"] == "Milk kefir grains (gift)"
    assert mine["notes"] is None
    named = claim_named(client, dave, gift(client, carol, grains["id"])["code"], "From Carol")
    assert named["name"] == "From Carol"

    again = claim(client, dave, made["code"])
    assert_problem(again, 409, "gift-claimed")
    assert_problem(claim(client, carol, made["code"]), 409, "gift-claimed")

    listed = client.get("/cultures", headers=dave.headers).json()["items"]
    assert [c["id"] for c in listed] == [named["id"], mine["id"]]


def test_lineage_across_accounts_shows_only_shared_fields(
    client: Client, carol: User, dave: User
) -> None:
    grains = create_culture(client, carol, name="Carol's grains", notes="NOTE-ONLY-CAROL-SEES")
    add_culture_event(client, carol, grains["id"], note="EVENT-NOTE-OF-CAROL")
    mine = claim(client, dave, gift(client, carol, grains["id"])["code"]).json()

    private = lineage(client, dave, mine["id"])
    tree = private.json()
    assert tree["culture"]["generation"] == 2
    assert tree["culture"]["visibility"] == "mine"
    [parent] = tree["ancestors"]
    assert parent == {
        "id": grains["id"],
        "parentId": None,
        "generation": 1,
        "visibility": "private",
        "label": "a private culture",
        "name": None,
        "kind": None,
        "ageDays": None,
    }
    for secret in ("NOTE-ONLY-CAROL-SEES", "EVENT-NOTE-OF-CAROL", "Carol's grains", carol.email,
                   carol.sub, dave.sub, "notes", "events"):  # fmt: skip
        assert secret not in private.text

    client.patch(
        f"/cultures/{grains['id']}", json={"version": 1, "public": True}, headers=carol.headers
    )
    shared = lineage(client, dave, mine["id"])
    [parent] = shared.json()["ancestors"]
    assert parent["visibility"] == "shared"
    assert parent["label"] == parent["name"] == "Carol's grains"
    assert parent["kind"] == "milk_kefir_grains"
    assert parent["ageDays"] == 0
    assert set(parent) == {
        "id", "parentId", "generation", "visibility", "label", "name", "kind", "ageDays",
    }  # fmt: skip
    for secret in ("NOTE-ONLY-CAROL-SEES", "EVENT-NOTE-OF-CAROL", carol.email, carol.sub):
        assert secret not in shared.text

    # And the giver sees the recipient's culture as private: Dave shares nothing.
    down = lineage(client, carol, grains["id"])
    [child] = down.json()["descendants"]
    assert child["id"] == mine["id"]
    assert child["label"] == "a private culture"
    assert dave.sub not in down.text
    assert dave.email not in down.text


def test_three_generations_across_three_accounts(
    client: Client, carol: User, dave: User, stack: StackOutputs, emulator: Emulator
) -> None:
    erin = new_user(stack, emulator, "erin")
    root = create_culture(client, carol, name="Root", public=True)
    split = client.post(f"/cultures/{root['id']}/split", json={}, headers=carol.headers).json()
    second = claim(client, dave, gift(client, carol, root["id"])["code"]).json()
    third = claim(client, erin, gift(client, dave, second["id"])["code"]).json()
    assert third["generation"] == 3

    tree = lineage(client, carol, root["id"]).json()
    generation_two = sorted([(split["id"], 2), (second["id"], 2)])
    assert [(d["id"], d["generation"]) for d in tree["descendants"]] == [
        *generation_two,
        (third["id"], 3),
    ]
    assert {d["id"]: d["parentId"] for d in tree["descendants"]}[third["id"]] == second["id"]
    up = lineage(client, erin, third["id"]).json()
    assert [(a["id"], a["generation"], a["visibility"]) for a in up["ancestors"]] == [
        (second["id"], 2, "private"),
        (root["id"], 1, "shared"),
    ]


def test_an_expired_gift_is_410(client: Client, carol: User, dave: User, dynamodb: Any,
                                settings: Any) -> None:  # fmt: skip
    culture = create_culture(client, carol)
    made = gift(client, carol, culture["id"])
    code = normalize_gift_code(made["code"])
    assert code is not None
    past = int((datetime.now(UTC) - timedelta(seconds=1)).timestamp())
    dynamodb.update_item(  # a week goes by
        TableName=settings.table_name,
        Key={"PK": {"S": f"GIFT#{gift_code_hash(code)}"}, "SK": {"S": "GIFT"}},
        UpdateExpression="SET expiresAt = :past",
        ExpressionAttributeValues={":past": {"N": str(past)}},
    )
    assert_problem(claim(client, dave, made["code"]), 410, "gift-expired")
    assert client.get("/cultures", headers=dave.headers).json()["items"] == []


def test_the_claim_transaction_refuses_an_expired_code_read_as_open(
    app: Litestar, client: Client, carol: User, dave: User
) -> None:
    """Expiry between the read and the write: the transaction's own condition says 410."""
    culture = create_culture(client, carol)
    made = gift(client, carol, culture["id"])
    cultures = app.state.cultures
    later = datetime.now(UTC) + timedelta(days=8)
    code = normalize_gift_code(made["code"])
    assert code is not None
    stored = cultures.lineage.gift(gift_code_hash(code))
    child = child_of(
        stored.culture_id, (), name="x", kind=stored.kind, origin="gift", notes=None, now=later
    )
    with pytest.raises(GiftExpired):
        cultures.lineage.claim(stored, dave.sub, child, culture_to_item(dave.sub, child))
    assert client.get("/cultures", headers=dave.headers).json()["items"] == []


def test_unknown_and_malformed_codes_are_404(client: Client, dave: User) -> None:
    assert_problem(claim(client, dave, "AAAA-BBBB-CCCC-DDDD"), 404, "not-found")
    assert_problem(claim(client, dave, "not a code"), 404, "not-found")
    assert_problem(
        client.post("/cultures/claim", json={"code": ""}, headers=dave.headers), 400, "validation"
    )


@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_claims_make_exactly_one_culture(
    app: Litestar, client: Client, carol: User, stack: StackOutputs, emulator: Emulator,
    attempt: int,
) -> None:  # fmt: skip
    """Straight into the use case from threads (the test client would serialise them),
    by four different accounts at once."""
    culture = create_culture(client, carol)
    code = gift(client, carol, culture["id"])["code"]
    claimants = [new_user(stack, emulator, f"claimant{i}") for i in range(4)]
    cultures = app.state.cultures

    def try_claim(user: User) -> str:
        try:
            return str(cultures.claim(user.sub, code, None, datetime.now(UTC)).id)
        except GiftClaimed:
            return "409"

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(try_claim, claimants))
    made = [r for r in results if r != "409"]
    assert len(made) == 1, results
    owned = [
        c["id"]
        for user in claimants
        for c in client.get("/cultures", headers=user.headers).json()["items"]
    ]
    assert owned == made
    tree = lineage(client, carol, culture["id"]).json()
    assert [d["id"] for d in tree["descendants"]] == made


def test_the_gift_label_is_the_giver_s_only(client: Client, carol: User, dave: User) -> None:
    culture = create_culture(client, carol)
    made = gift(client, carol, culture["id"])
    path = f"/cultures/{culture['id']}/gifts/{made['code']}/label.svg"
    assert client.get(path, headers=carol.headers).status_code == 200
    assert_problem(client.get(path, headers=dave.headers), 404, "not-found")
    other = create_culture(client, carol)
    wrong = f"/cultures/{other['id']}/gifts/{made['code']}/label.svg"
    assert_problem(client.get(wrong, headers=carol.headers), 404, "not-found")
    claim(client, dave, made["code"])
    assert_problem(client.get(path, headers=carol.headers), 409, "gift-claimed")


def test_a_claim_after_the_giver_deleted_the_culture_is_404(
    client: Client, carol: User, dave: User
) -> None:
    culture = create_culture(client, carol)
    made = gift(client, carol, culture["id"])
    assert client.delete(f"/cultures/{culture['id']}", headers=carol.headers).status_code == 204
    assert_problem(claim(client, dave, made["code"]), 404, "not-found")


def test_deleting_a_parent_shows_it_as_deleted_to_its_descendants(
    client: Client, carol: User, dave: User
) -> None:
    grains = create_culture(client, carol, name="Gone soon", public=True)
    mine = claim(client, dave, gift(client, carol, grains["id"])["code"]).json()
    assert client.delete(f"/cultures/{grains['id']}", headers=carol.headers).status_code == 204
    response = lineage(client, dave, mine["id"])
    [parent] = response.json()["ancestors"]
    assert parent["visibility"] == "deleted"
    assert parent["label"] == "a deleted culture"
    assert parent["name"] is None
    assert "Gone soon" not in response.text


def test_a_retired_culture_can_be_neither_split_nor_given(client: Client, carol: User) -> None:
    culture = create_culture(client, carol)
    client.patch(
        f"/cultures/{culture['id']}", json={"version": 1, "status": "lost"}, headers=carol.headers
    )
    split = client.post(f"/cultures/{culture['id']}/split", json={}, headers=carol.headers)
    assert_problem(split, 409, "culture-closed")
    given = client.post(f"/cultures/{culture['id']}/gifts", headers=carol.headers)
    assert_problem(given, 409, "culture-closed")
    assert lineage(client, carol, culture["id"]).json()["descendants"] == []
