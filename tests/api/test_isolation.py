"""The isolation matrix: on every route of the app, Bob naming Alice's ids gets what a
never-existing id gets (404, or the route's documented answer), writes nothing of
hers, and reads nothing of hers (asserted on the raw bodies).

The routes come from the app's own route table: a route added without a row here (or
a written reason why it needs none) fails `test_every_route_is_in_the_matrix`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from app.config import Settings
from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.main import create_app
from tests.api.test_photos import upload
from tests.conftest import User, new_user
from tests.expo_server import new_token
from tests.helpers import add_culture_event, add_event, assert_problem, create_batch, create_culture
from tests.stream import Filer

Client = TestClient[Litestar]
# In what Alice wrote that nobody else may ever see (notes, event notes, reminder texts).
PRIVATE = "ALICE-PRIVATE-7Q"
# In her names: shown only where she shares them (public pages, a gift she made).
NAMED = "ALICE-NAMED-7Q"
FUTURE = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0).isoformat()


@dataclass
class World:
    """Alice's records (every kind the API has) and Bob's own sensor."""

    client: Client
    alice: User
    bob: User
    file_readings: Filer
    ids: dict[str, str] = field(default_factory=dict)
    # Readings his sensor has posted so far (the ingest cases add to them).
    ingested: int = 0

    def secrets(self, names_shown: bool) -> list[str]:
        """What no answer to Bob may hold: her private text, her sub, email and tokens, and
        her names unless the route shows what she shared."""
        found = [PRIVATE, self.alice.sub, self.alice.email]
        found += [self.ids["sensorToken"], self.ids["deviceToken"]]
        return found if names_shown else [*found, NAMED]


@dataclass(frozen=True)
class Case:
    """Bob's request (`path` formatted with the world's ids) and what it must answer."""

    method: str
    route: str
    path: str
    body: Any = None
    status: int = 404
    # The ids of hers Bob's answer must not hold (lists and feeds answer 200).
    hidden: tuple[str, ...] = ()
    # Her names may show where she shares them (a gift she made); her private text never.
    names_shown: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    bob: bool = True  # False: an anonymous request (public routes)
    # A documented cross-account write (claiming her gift marks it claimed).
    writes_hers: bool = False
    # Pages for people (HTML) answer their 404 as a page, not as problem+json.
    html: bool = False
    check: Callable[[World, Any], None] | None = None

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


def _push(world: World) -> dict[str, Any]:
    """Mutations naming her records: update and delete her batch, log on it, delete her
    event, take her batch's id for a new one of his."""
    ids = world.ids
    mutation = {"entity": "batch", "id": ids["batch"]}
    return {
        "clientId": "bobs-phone",
        "mutations": [
            {**mutation, "mutationId": "m1", "op": "update", "baseVersion": 1,
             "fields": {"name": "mine now"}},
            {"mutationId": "m2", "entity": "event", "id": "01JD0000000000000000000000",
             "op": "create", "fields": {"batchId": ids["batch"], "type": "feed"}},
            {"mutationId": "m3", "entity": "event", "id": ids["event"], "op": "delete",
             "fields": {"batchId": ids["batch"]}},
            {**mutation, "mutationId": "m4", "op": "delete"},
            {"mutationId": "m5", "entity": "reading", "id": ids["batch"], "op": "create",
             "fields": {"batchId": ids["batch"], "gravity": 1.01}},
        ],
    }  # fmt: skip


def _push_results(world: World, response: Any) -> None:
    results = {r["mutationId"]: r for r in response.json()["results"]}
    assert results["m1"]["status"] == "rejected"
    assert results["m1"]["problem"]["status"] == 404
    assert results["m2"]["status"] == "rejected"
    assert results["m2"]["problem"]["status"] == 404
    # Deleting what is not (or no longer) there reaches the same end: applied, no-op.
    assert (results["m3"]["status"], results["m4"]["status"]) == ("applied", "applied")
    assert results["m5"]["status"] == "rejected"


def _ingested_into_his_batch(world: World, response: Any) -> None:
    world.ingested += 1
    world.file_readings()
    raw = world.client.get(
        f"/batches/{world.ids['bobBatch']}/readings/raw", headers=world.bob.headers
    )
    assert sum(r["count"] for r in raw.json()["items"]) == world.ingested


ROUTES = "/batches/{batch_id:str}"
CARE = "/cultures/{culture_id:str}/reminders"
CASES: list[Case] = [
    # --- batches, events, bottles, labels
    Case("GET", "/batches", "/batches?limit=100", status=200, hidden=("batch",)),
    Case("POST", "/batches", "/batches",
         {"name": "Bob's", "kind": "kombucha", "cultureId": "{culture}"}),
    Case("GET", ROUTES, "/batches/{batch}"),
    Case("PATCH", ROUTES, "/batches/{batch}", {"version": 1, "name": "mine now"}),
    Case("DELETE", ROUTES, "/batches/{batch}"),
    Case("GET", ROUTES + "/events", "/batches/{batch}/events"),
    Case("POST", ROUTES + "/events", "/batches/{batch}/events", {"type": "feed"}),
    Case("DELETE", ROUTES + "/events/{event_id:str}", "/batches/{batch}/events/{event}"),
    Case("POST", ROUTES + "/split", "/batches/{batch}/split", {"name": "Bottle", "count": 2}),
    Case("GET", ROUTES + "/label.svg", "/batches/{batch}/label.svg"),
    # --- reminders
    Case("GET", ROUTES + "/reminders", "/batches/{batch}/reminders"),
    Case("GET", ROUTES + "/reminders/suggestions", "/batches/{batch}/reminders/suggestions"),
    Case("POST", ROUTES + "/reminders/confirm", "/batches/{batch}/reminders/confirm",
         {"text": "Strain", "action": "strain", "dueAt": FUTURE}),
    Case("GET", ROUTES + "/reminders/{reminder_id:str}", "/batches/{batch}/reminders/{reminder}"),
    Case("PATCH", ROUTES + "/reminders/{reminder_id:str}",
         "/batches/{batch}/reminders/{reminder}", {"version": 1, "dueAt": FUTURE}),
    Case("DELETE", ROUTES + "/reminders/{reminder_id:str}",
         "/batches/{batch}/reminders/{reminder}"),
    Case("POST", ROUTES + "/reminders/{reminder_id:str}/done",
         "/batches/{batch}/reminders/{reminder}/done", {}),
    # --- photos
    Case("GET", ROUTES + "/photos", "/batches/{batch}/photos"),
    Case("POST", ROUTES + "/photos", "/batches/{batch}/photos", {"photoId": "{photo}"}),
    Case("POST", ROUTES + "/photos/upload", "/batches/{batch}/photos/upload",
         {"contentType": "image/png"}),
    Case("DELETE", ROUTES + "/photos/{photo_id:str}", "/batches/{batch}/photos/{photo}"),
    # --- devices: her push token sent by him only starts a claim, proven by a push to
    # that device (202 proof-required); her device stays hers
    Case("GET", "/devices", "/devices", status=200, hidden=("device",)),
    Case("POST", "/devices", "/devices", {"token": "{deviceToken}", "platform": "ios"},
         status=202),
    Case("DELETE", "/devices/{device_id:str}", "/devices/{device}"),
    # --- the caller's own account
    Case("GET", "/me", "/me", status=200),
    Case("PATCH", "/me", "/me", {"displayName": "Bob"}, status=200),
    # --- export, sync
    Case("GET", "/export.csv", "/export.csv", status=200, hidden=("batch", "event", "sensor")),
    Case("GET", "/export.csv", "/export.csv?continue={export}"),
    Case("GET", "/sync", "/sync", status=200,
         hidden=("batch", "event", "sensor", "reminder", "photo", "device", "culture")),
    Case("GET", "/sync", "/sync?cursor={cursor}", status=200,
         hidden=("batch", "event", "sensor", "reminder", "photo", "device", "culture")),
    Case("POST", "/sync/push", "/sync/push", _push, status=200, check=_push_results),
    # --- sensors, readings, charts, alert rules
    Case("POST", ROUTES + "/sensors", "/batches/{batch}/sensors", {"name": "Bob's"}),
    Case("GET", ROUTES + "/sensors", "/batches/{batch}/sensors"),
    Case("GET", "/sensors", "/sensors", status=200, hidden=("sensor",)),
    Case("PATCH", "/sensors/{sensor_id:str}", "/sensors/{sensor}", {"name": "mine now"}),
    Case("PATCH", "/sensors/{sensor_id:str}", "/sensors/{bobSensor}", {"batchId": "{batch}"}),
    Case("DELETE", "/sensors/{sensor_id:str}", "/sensors/{sensor}"),
    Case("GET", ROUTES + "/readings", "/batches/{batch}/readings?metric=gravity"),
    Case("GET", ROUTES + "/readings", "/batches/{batch}/readings?metric=velocity"),
    Case("GET", ROUTES + "/readings/raw", "/batches/{batch}/readings/raw"),
    Case("GET", ROUTES + "/chart.svg", "/batches/{batch}/chart.svg?metric=gravity"),
    Case("GET", ROUTES + "/alerts/rules", "/batches/{batch}/alerts/rules"),
    Case("PUT", ROUTES + "/alerts/rules", "/batches/{batch}/alerts/rules", {"phTarget": 4.0}),
    # --- ingest: his token goes to his batch whatever the body names
    Case("POST", "/ingest/{token:str}", "/ingest/{bobToken}",
         {"name": "{batch}", "beer": "{batch}", "temp": 20, "temp_unit": "C",
          "gravity": 1.01, "gravity_unit": "G", "device_source": "{batch}"},
         status=200, bob=False, check=_ingested_into_his_batch),
    Case("POST", "/ingest", "/ingest",
         {"name": "{batch}", "temp": 68, "temp_unit": "F", "gravity": 1.02,
          "gravity_unit": "G", "device_source": "TiltBridge"},
         status=200, bob=False, headers={"X-API-KEY": "{bobToken}"},
         check=_ingested_into_his_batch),
    # --- cultures, gifts, lineage
    Case("GET", "/cultures", "/cultures", status=200, hidden=("culture",)),
    Case("POST", "/cultures", "/cultures", {"name": "Bob's", "kind": "milk_kefir_grains"},
         status=201),
    Case("GET", "/cultures/{culture_id:str}", "/cultures/{culture}"),
    Case("PATCH", "/cultures/{culture_id:str}", "/cultures/{culture}",
         {"version": 1, "name": "mine now"}),
    Case("DELETE", "/cultures/{culture_id:str}", "/cultures/{culture}"),
    Case("GET", "/cultures/{culture_id:str}/events", "/cultures/{culture}/events"),
    Case("POST", "/cultures/{culture_id:str}/events", "/cultures/{culture}/events",
         {"type": "feed"}),
    Case("DELETE", "/cultures/{culture_id:str}/events/{event_id:str}",
         "/cultures/{culture}/events/{cultureEvent}"),
    Case("GET", "/cultures/{culture_id:str}/reminders/suggestions",
         "/cultures/{culture}/reminders/suggestions"),
    Case("GET", "/cultures/{culture_id:str}/reminders", "/cultures/{culture}/reminders"),
    Case("POST", CARE + "/confirm", "/cultures/{culture}/reminders/confirm",
         {"text": "Feed", "action": "feed", "dueAt": FUTURE}),
    Case("GET", CARE + "/{reminder_id:str}", "/cultures/{culture}/reminders/{careReminder}"),
    Case("PATCH", "/cultures/{culture_id:str}/reminders/{reminder_id:str}",
         "/cultures/{culture}/reminders/{careReminder}", {"version": 1, "dueAt": FUTURE}),
    Case("DELETE", "/cultures/{culture_id:str}/reminders/{reminder_id:str}",
         "/cultures/{culture}/reminders/{careReminder}"),
    Case("POST", "/cultures/{culture_id:str}/reminders/{reminder_id:str}/done",
         "/cultures/{culture}/reminders/{careReminder}/done", {}),
    Case("POST", "/cultures/{culture_id:str}/split", "/cultures/{culture}/split", {}),
    Case("POST", "/cultures/{culture_id:str}/gifts", "/cultures/{culture}/gifts"),
    Case("GET", "/cultures/{culture_id:str}/gifts/{code:str}/label.svg",
         "/cultures/{culture}/gifts/{code}/label.svg"),
    Case("GET", "/cultures/{culture_id:str}/lineage", "/cultures/{culture}/lineage"),
    # Claiming is the one route meant to cross accounts: a gift code is a bearer secret.
    # He gets his own culture with her shared fields; never her notes, sub or email.
    # (His culture names hers as its parent: the lineage is what a gift shares.)
    Case("POST", "/cultures/claim", "/cultures/claim", {"code": "{claimCode}"}, status=201,
         names_shown=True, writes_hers=True),
    # --- public routes: nothing she has not shared, for anyone
    Case("GET", "/b/{batch_id:str}", "/b/{batch}", bob=False, html=True),
    Case("GET", "/public/batches/{batch_id:str}", "/public/batches/{batch}", bob=False),
    Case("GET", "/public/batches/{batch_id:str}/cover", "/public/batches/{batch}/cover",
         bob=False),
    Case("GET", "/c/{culture_id:str}", "/c/{culture}", bob=False, html=True),
    Case("GET", "/public/cultures/{culture_id:str}", "/public/cultures/{culture}", bob=False),
    Case("GET", "/gift/{code:str}", "/gift/{code}", status=200, names_shown=True, bob=False,
         html=True),
]  # fmt: skip

# Routes with no record of anyone's to name, and why.
NOT_APPLICABLE = {
    ("GET", "/health"): "no user data",
    ("GET", "/.well-known/apple-app-site-association"): "app links: configuration only",
    ("GET", "/.well-known/assetlinks.json"): "app links: configuration only",
    ("DELETE", "/me"): "acts on the caller only: test_deleting_an_account_leaves_others_alone",
}


def app_routes(app: Litestar) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith("/schema"):
            continue
        for handler in route.route_handlers:
            methods = {str(m) for m in handler.http_methods} - {"OPTIONS", "HEAD"}
            found |= {(m, route.path) for m in methods}
    return found


def test_every_route_is_in_the_matrix(app: Litestar) -> None:
    covered = {(case.method, case.route) for case in CASES} | set(NOT_APPLICABLE)
    routes = app_routes(app)
    assert routes - covered == set(), "routes without an isolation case"
    assert covered - routes == set(), "isolation cases for routes that do not exist"


@pytest.fixture(scope="module")
def world(
    client: Client, stack: StackOutputs, emulator: Emulator, settings: Settings,
    file_readings: Filer,
) -> World:  # fmt: skip
    alice = new_user(stack, emulator, "iso-alice")
    bob = new_user(stack, emulator, "iso-bob")
    world = World(client=client, alice=alice, bob=bob, file_readings=file_readings)
    ids = world.ids
    client.patch("/me", json={"displayName": NAMED}, headers=alice.headers).raise_for_status()
    culture = create_culture(client, alice, name=f"{NAMED} grains", notes=PRIVATE)
    ids["culture"] = culture["id"]
    ids["cultureEvent"] = add_culture_event(client, alice, culture["id"], note=PRIVATE)["id"]
    care = client.post(
        f"/cultures/{culture['id']}/reminders/confirm",
        json={"text": PRIVATE, "action": "feed", "dueAt": FUTURE},
        headers=alice.headers,
    )
    assert care.status_code == 201, care.text
    ids["careReminder"] = care.json()["id"]
    for name in ("code", "claimCode"):
        gift = client.post(f"/cultures/{culture['id']}/gifts", headers=alice.headers)
        assert gift.status_code == 201, gift.text
        ids[name] = gift.json()["code"]
    batch = create_batch(
        client, alice, name=f"{NAMED} kombucha", kind="kombucha", notes=PRIVATE,
        cultureId=culture["id"],
    )  # fmt: skip
    ids["batch"] = batch["id"]
    ids["event"] = add_event(client, alice, batch["id"], note=PRIVATE)["id"]
    reminder = client.post(
        f"/batches/{batch['id']}/reminders/confirm",
        json={"text": PRIVATE, "action": "strain", "dueAt": FUTURE},
        headers=alice.headers,
    )
    assert reminder.status_code == 201, reminder.text
    ids["reminder"] = reminder.json()["id"]
    ids["photo"] = upload(client, alice, batch["id"])["id"]
    ids["deviceToken"] = new_token()
    client.post(
        "/devices", json={"token": ids["deviceToken"], "platform": "ios"}, headers=alice.headers
    ).raise_for_status()
    ids["device"] = hashlib.sha256(ids["deviceToken"].encode()).hexdigest()
    sensor = client.post(
        f"/batches/{batch['id']}/sensors", json={"name": f"{NAMED} spindel"}, headers=alice.headers
    ).json()
    ids["sensor"], ids["sensorToken"] = sensor["id"], sensor["token"]
    reading = client.post(f"/ingest/{sensor['token']}", json={"gravity": 1.05, "ph": 3.9})
    assert reading.status_code == 200, reading.text
    file_readings()
    client.put(
        f"/batches/{batch['id']}/alerts/rules", json={"phTarget": 3.0}, headers=alice.headers
    ).raise_for_status()
    ids["cursor"] = client.get("/sync", params={"limit": 2}, headers=alice.headers).json()[
        "nextCursor"
    ]
    ids["export"] = _pending_export(settings, alice)
    # His own batch and sensor.
    his = create_batch(client, bob, name="Bob's jar")
    ids["bobBatch"] = his["id"]
    bobs = client.post(
        f"/batches/{his['id']}/sensors", json={"name": "Bob's Tilt"}, headers=bob.headers
    ).json()
    ids["bobSensor"], ids["bobToken"] = bobs["id"], bobs["token"]
    return world


def _pending_export(settings: Settings, user: User) -> str:
    """An export of hers left half-done: the app with no time budget stops after a page."""
    app = create_app(msgspec.structs.replace(settings, export_inline_max_bytes=256))
    app.state.exports.call_seconds = 0
    app.state.exports.store.page_items = 2
    with TestClient(app) as stepping:
        response = stepping.get("/export.csv", headers=user.headers, follow_redirects=False)
    assert response.status_code == 202, response.text
    return str(response.headers["location"]).rsplit("=", 1)[-1]


def hers(dynamodb: Any, settings: Settings, world: World) -> dict[str, Any]:
    """Everything stored of hers, read consistently: her partition, her batch's readings,
    her culture's lineage node, her sensor's token item and her push token's owner."""
    ids, sub = world.ids, world.alice.sub

    def get(pk: str, sk: str) -> Any:
        return dynamodb.get_item(
            TableName=settings.table_name,
            Key={"PK": {"S": pk}, "SK": {"S": sk}},
            ConsistentRead=True,
        ).get("Item")

    token_hash = hashlib.sha256(ids["sensorToken"].encode()).hexdigest()
    return {
        "partition": partition(dynamodb, settings, f"USER#{sub}"),
        "readings": partition(dynamodb, settings, f"READINGS#{sub}#{ids['batch']}"),
        "lineage": get(f"LINEAGE#{ids['culture']}", "NODE"),
        "token": get(f"INGEST#{token_hash}", "TOKEN"),
        "device": get(f"PUSHTOKEN#{ids['device']}", "OWNER"),
    }


def partition(dynamodb: Any, settings: Settings, pk: str) -> list[Any]:
    pages = dynamodb.get_paginator("query").paginate(
        TableName=settings.table_name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": pk}},
        ConsistentRead=True,
    )
    return [item for page in pages for item in page["Items"]]


def _format(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _format(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_format(v, ids) for v in value]
    return value


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_someone_elses_ids_answer_as_unknown_ones_and_change_nothing(
    client: Client, dynamodb: Any, settings: Settings, world: World, case: Case
) -> None:
    ids = world.ids
    body = case.body(world) if callable(case.body) else _format(case.body, ids)
    headers = {**(world.bob.headers if case.bob else {}), **_format(case.headers, ids)}
    before = hers(dynamodb, settings, world)
    his_before = partition(dynamodb, settings, f"USER#{world.bob.sub}")

    response = client.request(
        case.method, case.path.format(**ids), json=body, headers=headers, follow_redirects=False
    )

    assert response.status_code == case.status, response.text
    if case.status == 404 and not case.html:
        assert_problem(response, 404, "not-found")
    if case.status == 404:  # nothing half-written on his side either
        assert partition(dynamodb, settings, f"USER#{world.bob.sub}") == his_before
    text = response.text
    for secret in world.secrets(case.names_shown):
        assert secret not in text, secret
    for name in case.hidden:
        assert ids[name] not in text, name
    if case.check is not None:
        case.check(world, response)
    after = hers(dynamodb, settings, world)
    if case.writes_hers:
        # Only the gift he claimed and the lineage it grew: her records are as they were.
        assert _records(after) == _records(before)
    else:
        assert after == before


def _records(snapshot: dict[str, Any]) -> list[Any]:
    return [i for i in snapshot["partition"] if "#GIFT#" not in i["SK"]["S"]]


def test_an_unknown_id_answers_exactly_like_hers(client: Client, world: World) -> None:
    """Not merely 404 both: the same problem, so nothing tells hers from none."""
    for method, path, mine, body in [
        ("GET", "/batches/{}", "batch", None),
        ("GET", "/batches/{}/readings/raw", "batch", None),
        ("GET", "/batches/{}/alerts/rules", "batch", None),
        ("GET", "/cultures/{}", "culture", None),
        ("PATCH", "/sensors/{}", "sensor", {"name": "x"}),
        ("DELETE", "/devices/{}", "device", None),
    ]:
        unknown = "0" * 64 if mine == "device" else "01JD0000000000000000000000"
        answers = [
            client.request(method, path.format(i), json=body, headers=world.bob.headers)
            for i in (world.ids[mine], unknown)
        ]
        theirs, none = (_without_instance(a.json()) for a in answers)
        assert theirs == none, path


def _without_instance(problem: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in problem.items() if k != "instance"}


def test_deleting_an_account_leaves_others_alone(
    client: Client,
    dynamodb: Any,
    settings: Settings,
    world: World,
    stack: StackOutputs,
    emulator: Emulator,
) -> None:
    leaving = new_user(stack, emulator, "iso-leaving")
    create_batch(client, leaving, name="Leaving")
    before = hers(dynamodb, settings, world)
    response = client.delete("/me", headers=leaving.headers)
    assert response.status_code == 204, response.text
    assert hers(dynamodb, settings, world) == before
    assert json.dumps(before).count(world.alice.sub) > 0


def test_his_batch_pushed_under_her_shared_batch_id_never_takes_her_public_page(
    client: Client, world: World
) -> None:
    """Push lets a device choose a new batch's id. Her shared page's URL holds her batch
    id, so he may push a batch of his under it, and share it: the page stays hers."""
    alice, bob = world.alice, world.bob
    shared = create_batch(client, alice, name=f"{NAMED} on show", kind="kombucha")
    client.patch(
        f"/batches/{shared['id']}", json={"version": 1, "public": True}, headers=alice.headers
    ).raise_for_status()
    pushed = client.post(
        "/sync/push",
        json={
            "clientId": "bobs-phone",
            "mutations": [
                {
                    "mutationId": "take-1",
                    "entity": "batch",
                    "id": shared["id"],
                    "op": "create",
                    "fields": {"name": "BOB-IMPOSTOR", "kind": "kombucha"},
                },
            ],
        },
        headers=bob.headers,
    )
    assert pushed.status_code == 200, pushed.text
    if pushed.json()["results"][0]["status"] == "applied":
        client.patch(
            f"/batches/{shared['id']}", json={"version": 1, "public": True}, headers=bob.headers
        ).raise_for_status()
    for path in (f"/public/batches/{shared['id']}", f"/b/{shared['id']}"):
        for _ in range(5):  # whichever copy the index hands out first
            page = client.get(path)
            assert page.status_code == 200, page.text
            assert "BOB-IMPOSTOR" not in page.text
            assert f"{NAMED} on show" in page.text
