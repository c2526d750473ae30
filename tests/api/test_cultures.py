"""Cultures over HTTP: create, list, get, patch, delete, and their event log."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.conftest import User
from tests.helpers import add_culture_event, assert_problem, create_culture

Client = TestClient[Litestar]


def test_create_then_get_returns_the_culture_with_empty_stats(client: Client, alice: User) -> None:
    created = create_culture(
        client, alice, origin="gift", notes="from Oma", acquiredAt="2026-01-10T08:00:00Z"
    )
    assert created["status"] == "active"
    assert created["generation"] == 1
    assert created["parentId"] is None
    assert created["version"] == 1
    assert created["public"] is False

    response = client.get(f"/cultures/{created['id']}", headers=alice.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "Grandma's grains"
    assert body["notes"] == "from Oma"
    assert body["origin"] == "gift"
    assert body["batches"] == []
    stats = body["stats"]
    assert stats["batchesMade"] == 0
    assert stats["ageDays"] >= 300
    assert stats["lastFedAt"] is None
    assert stats["weights"] == []
    assert stats["medianBatchHours"] == {}


def test_list_is_newest_first_and_paged(client: Client, bob: User) -> None:
    ids = [create_culture(client, bob, name=f"starter {i}", kind="sourdough_starter")["id"]
           for i in range(3)]  # fmt: skip
    first = client.get("/cultures", params={"limit": 2}, headers=bob.headers).json()
    assert [c["id"] for c in first["items"]] == ids[::-1][:2]
    assert first["nextCursor"]
    second = client.get(
        "/cultures", params={"limit": 2, "cursor": first["nextCursor"]}, headers=bob.headers
    ).json()
    assert ids[0] in [c["id"] for c in second["items"]]
    assert not set(ids[1:]) & {c["id"] for c in second["items"]}


def test_a_tampered_cursor_is_a_clean_400(client: Client, alice: User) -> None:
    response = client.get("/cultures", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=alice.headers)
    assert_problem(response, 400, "invalid-cursor")


def test_patch_uses_the_version_and_clears_notes_with_null(client: Client, alice: User) -> None:
    culture = create_culture(client, alice, notes="in the fridge door")
    path = f"/cultures/{culture['id']}"
    response = client.patch(
        path, json={"version": 1, "status": "resting", "notes": None}, headers=alice.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "resting"
    assert response.json()["notes"] is None
    assert response.json()["version"] == 2

    stale = client.patch(path, json={"version": 1, "name": "late"}, headers=alice.headers)
    assert_problem(stale, 409, "stale-version")
    assert client.get(path, headers=alice.headers).json()["name"] == culture["name"]


def test_bad_input_is_a_400_naming_the_field(client: Client, alice: User) -> None:
    bad_kind = client.post(
        "/cultures", json={"name": "x", "kind": "yoghurt"}, headers=alice.headers
    )
    assert_problem(bad_kind, 400, "validation")
    blank = client.post("/cultures", json={"name": "   ", "kind": "scoby"}, headers=alice.headers)
    assert_problem(blank, 400, "validation")
    future = client.post(
        "/cultures",
        json={"name": "x", "kind": "scoby", "acquiredAt": "2999-01-01T00:00:00Z"},
        headers=alice.headers,
    )
    assert_problem(future, 400, "validation")
    unknown = client.post(
        "/cultures", json={"name": "x", "kind": "scoby", "colour": "beige"}, headers=alice.headers
    )
    assert_problem(unknown, 400, "validation")


def test_events_feed_the_stats_and_deleting_one_takes_it_out(client: Client, alice: User) -> None:
    culture = create_culture(client, alice, kind="sourdough_starter")
    cid = culture["id"]
    add_culture_event(client, alice, cid, occurredAt="2026-11-01T08:00:00Z")
    late_feed = add_culture_event(client, alice, cid, occurredAt="2026-11-02T08:00:00Z")
    add_culture_event(
        client, alice, cid, type="weigh", grams=120, occurredAt="2026-11-01T09:00:00Z"
    )
    heavy = add_culture_event(
        client, alice, cid, type="weigh", grams=150.5, occurredAt="2026-11-03T09:00:00Z"
    )
    add_culture_event(client, alice, cid, type="note", note="smells of apples")

    stats = client.get(f"/cultures/{cid}", headers=alice.headers).json()["stats"]
    assert stats["lastFedAt"] == "2026-11-02T08:00:00Z"
    assert [w["grams"] for w in stats["weights"]] == [120, 150.5]

    for event in (late_feed, heavy):
        deleted = client.delete(f"/cultures/{cid}/events/{event['id']}", headers=alice.headers)
        assert deleted.status_code == 204
    stats = client.get(f"/cultures/{cid}", headers=alice.headers).json()["stats"]
    assert stats["lastFedAt"] == "2026-11-01T08:00:00Z"
    assert [w["grams"] for w in stats["weights"]] == [120]

    events = client.get(f"/cultures/{cid}/events", headers=alice.headers).json()
    assert [e["type"] for e in events["items"]] == ["feed", "weigh", "note"]


def test_a_weigh_event_needs_grams_and_only_weighs_carry_them(client: Client, alice: User) -> None:
    cid = create_culture(client, alice)["id"]
    path = f"/cultures/{cid}/events"
    assert_problem(
        client.post(path, json={"type": "weigh"}, headers=alice.headers), 400, "validation"
    )
    assert_problem(
        client.post(path, json={"type": "feed", "grams": 3}, headers=alice.headers),
        400,
        "validation",
    )
    assert_problem(
        client.post(path, json={"type": "weigh", "grams": -1}, headers=alice.headers),
        400,
        "validation",
    )


def test_a_retired_culture_keeps_its_log_frozen(client: Client, alice: User) -> None:
    culture = create_culture(client, alice)
    cid = culture["id"]
    event = add_culture_event(client, alice, cid)
    client.patch(
        f"/cultures/{cid}", json={"version": 1, "status": "retired"}, headers=alice.headers
    )
    refused = client.post(f"/cultures/{cid}/events", json={"type": "feed"}, headers=alice.headers)
    assert_problem(refused, 409, "culture-closed")
    refused = client.delete(f"/cultures/{cid}/events/{event['id']}", headers=alice.headers)
    assert_problem(refused, 409, "culture-closed")


def test_delete_removes_the_culture_and_its_events(
    client: Client, alice: User, dynamodb: Any, settings: Any
) -> None:
    cid = create_culture(client, alice)["id"]
    add_culture_event(client, alice, cid)
    assert client.delete(f"/cultures/{cid}", headers=alice.headers).status_code == 204
    assert_problem(client.get(f"/cultures/{cid}", headers=alice.headers), 404, "not-found")
    assert_problem(client.delete(f"/cultures/{cid}", headers=alice.headers), 404, "not-found")
    left = dynamodb.query(
        TableName=settings.table_name,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :sk)",
        ExpressionAttributeValues={
            ":pk": {"S": f"USER#{alice.sub}"},
            ":sk": {"S": f"CULTURE#{cid}"},
        },
    )["Items"]
    assert left == []
    node = dynamodb.get_item(
        TableName=settings.table_name, Key={"PK": {"S": f"LINEAGE#{cid}"}, "SK": {"S": "NODE"}}
    )
    assert "Item" not in node


def test_someone_elses_culture_is_404_on_every_route(
    client: Client, alice: User, bob: User
) -> None:
    culture = create_culture(client, alice)
    cid = culture["id"]
    event = add_culture_event(client, alice, cid)
    gift = client.post(f"/cultures/{cid}/gifts", headers=alice.headers).json()
    calls = [
        ("GET", f"/cultures/{cid}", None),
        ("PATCH", f"/cultures/{cid}", {"version": 1, "name": "mine now"}),
        ("DELETE", f"/cultures/{cid}", None),
        ("POST", f"/cultures/{cid}/events", {"type": "feed"}),
        ("GET", f"/cultures/{cid}/events", None),
        ("DELETE", f"/cultures/{cid}/events/{event['id']}", None),
        ("POST", f"/cultures/{cid}/split", {}),
        ("POST", f"/cultures/{cid}/gifts", None),
        ("GET", f"/cultures/{cid}/gifts/{gift['code']}/label.svg", None),
        ("GET", f"/cultures/{cid}/lineage", None),
    ]
    for method, path, body in calls:
        response = client.request(method, path, json=body, headers=bob.headers)
        assert_problem(response, 404, "not-found")
    after = client.get(f"/cultures/{cid}", headers=alice.headers).json()
    assert after["version"] == 1
    assert after["name"] == culture["name"]
    events = client.get(f"/cultures/{cid}/events", headers=alice.headers).json()["items"]
    assert [e["id"] for e in events] == [event["id"]]


def test_malformed_ids_are_404_not_500(client: Client, alice: User) -> None:
    for path in ("/cultures/not-an-id", "/cultures/not-an-id/lineage", "/cultures/x/events"):
        assert_problem(client.get(path, headers=alice.headers), 404, "not-found")


def test_culture_routes_need_a_token(client: Client) -> None:
    assert_problem(client.get("/cultures"), 401, "unauthorized")
    assert_problem(client.post("/cultures/claim", json={"code": "x"}), 401, "unauthorized")


def test_openapi_documents_every_culture_route(client: Client) -> None:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200, response.text
    operations = {
        op["operationId"]
        for path in response.json()["paths"].values()
        for op in path.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert operations >= {
        "createCulture", "listCultures", "getCulture", "updateCulture", "deleteCulture",
        "addCultureEvent", "listCultureEvents", "deleteCultureEvent", "splitCulture",
        "createGift", "getGiftLabel", "claimGift", "getCultureLineage", "getPublicCulture",
        "splitBatch",
    }  # fmt: skip
    schemas = response.json()["components"]["schemas"]
    assert "LineageNodeOut" in schemas
    assert "notes" not in schemas["LineageNodeOut"]["properties"]


def test_care_suggestions_for_a_starter_and_for_resting_grains(
    client: Client, alice: User, bob: User
) -> None:
    starter = create_culture(client, alice, kind="sourdough_starter")
    add_culture_event(client, alice, starter["id"], occurredAt="2026-12-01T08:00:00Z")
    path = f"/cultures/{starter['id']}/reminders/suggestions"
    response = client.get(path, headers={**alice.headers, "X-Time-Zone": "Europe/Berlin"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["timeZone"] == "Europe/Berlin"
    [feed] = body["items"]
    assert (feed["key"], feed["action"], feed["repeatEveryHours"]) == ("feed_starter", "feed", 12)
    assert_problem(client.get(path, headers=bob.headers), 404, "not-found")
    assert_problem(
        client.get(path, headers={**alice.headers, "X-Time-Zone": "Mars/Olympus"}),
        400,
        "validation",
    )

    grains = create_culture(client, alice)
    grains_path = f"/cultures/{grains['id']}/reminders/suggestions"
    assert client.get(grains_path, headers=alice.headers).json()["items"] == []
    client.patch(
        f"/cultures/{grains['id']}", json={"version": 1, "status": "resting"}, headers=alice.headers
    )
    [refresh] = client.get(grains_path, headers=alice.headers).json()["items"]
    assert (refresh["key"], refresh["repeatEveryHours"]) == ("refresh_grains", 168)
