"""`DELETE /me` erases the user's cultures and gift codes; descendants in other accounts
keep their own records, with the parent shown as "a deleted culture"."""

from __future__ import annotations

import json
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from app.config import Settings
from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from tests.conftest import new_user
from tests.helpers import add_culture_event, assert_problem, create_batch, create_culture

Client = TestClient[Litestar]
# What a tombstone may hold: the tree's shape, nothing its owner wrote or shared.
TOMBSTONE = {"PK", "SK", "entity", "id", "ancestors", "generation", "children", "public",
             "deleted", "version", "parentId"}  # fmt: skip


def scan(dynamodb: Any, settings: Settings) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(
        TableName=settings.table_name, ConsistentRead=True
    ):
        items.extend(page["Items"])
    return items


def test_deleting_an_account_erases_its_cultures_and_keeps_the_recipients(
    client: Client, stack: StackOutputs, emulator: Emulator, dynamodb: Any, settings: Settings
) -> None:
    giver = new_user(stack, emulator, "giver")
    taker = new_user(stack, emulator, "taker")
    client.get("/me", headers=giver.headers).raise_for_status()
    grains = create_culture(client, giver, name="GIVER-GRAINS", notes="GIVER-NOTES", public=True)
    add_culture_event(client, giver, grains["id"], type="weigh", grams=30, note="GIVER-EVENT")
    for i in range(2):
        create_batch(client, giver, name=f"GIVER-BATCH-{i}", cultureId=grains["id"])
    split = client.post(
        f"/cultures/{grains['id']}/split", json={"name": "GIVER-SPLIT"}, headers=giver.headers
    ).json()
    given = client.post(f"/cultures/{grains['id']}/gifts", headers=giver.headers).json()
    unclaimed = client.post(f"/cultures/{grains['id']}/gifts", headers=giver.headers).json()
    mine = client.post(
        "/cultures/claim", json={"code": given["code"]}, headers=taker.headers
    ).json()
    before = client.get(f"/cultures/{mine['id']}/lineage", headers=taker.headers).json()
    assert before["ancestors"][0]["visibility"] == "shared"

    assert client.delete("/me", headers=giver.headers).status_code == 204

    # The account's own deletion tombstone (DELETED#<sub>, expiring) is all that names it.
    everything = [i for i in scan(dynamodb, settings) if not i["PK"]["S"].startswith("DELETED#")]
    text = json.dumps(everything)
    for trace in (giver.sub, giver.email, "GIVER-GRAINS", "GIVER-NOTES", "GIVER-EVENT",
                  "GIVER-BATCH", "GIVER-SPLIT"):  # fmt: skip
        assert trace not in text, trace
    assert not [i for i in everything if i["PK"]["S"].startswith("GIFT#")
                and i.get("cultureId", {}).get("S") == grains["id"]]  # fmt: skip
    nodes = {i["id"]["S"]: i for i in everything if i["PK"]["S"].startswith("LINEAGE#")}
    assert split["id"] not in nodes  # no descendants: gone entirely
    tombstone = nodes[grains["id"]]  # descendants elsewhere: only the tree's shape stays
    assert set(tombstone) <= TOMBSTONE
    assert tombstone["deleted"] == {"BOOL": True}

    listed = client.get("/cultures", headers=taker.headers).json()["items"]
    assert [c["id"] for c in listed] == [mine["id"]]
    after = client.get(f"/cultures/{mine['id']}/lineage", headers=taker.headers)
    [parent] = after.json()["ancestors"]
    assert (parent["id"], parent["visibility"], parent["label"], parent["name"]) == (
        grains["id"], "deleted", "a deleted culture", None,
    )  # fmt: skip
    assert "GIVER" not in after.text
    assert_problem(
        client.post("/cultures/claim", json={"code": unclaimed["code"]}, headers=taker.headers),
        404,
        "not-found",
    )
    assert_problem(client.get(f"/public/cultures/{grains['id']}"), 404, "not-found")

    # The deleted account's still-valid token writes nothing, cultures included.
    assert_problem(client.delete("/me", headers=giver.headers), 410, "account-deleted")
    refused = client.post("/cultures", json={"name": "x", "kind": "scoby"}, headers=giver.headers)
    assert_problem(refused, 410, "account-deleted")
