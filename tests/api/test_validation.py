"""Bad input answers 4xx problem+json naming the field, and writes nothing."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.conftest import User
from tests.helpers import assert_problem, create_batch

Client = TestClient[Litestar]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": 42, "kind": "milk_kefir"}, "name"),
        ({"name": "x", "kind": "yoghurt"}, "kind"),
        ({"name": "x" * 121, "kind": "kombucha"}, "name"),
        ({"name": "x", "kind": "kombucha", "notes": "n" * 2001}, "notes"),
        ({"name": "x", "kind": "kombucha", "temperatureC": "warm"}, "temperatureC"),
        ({"name": "x", "kind": "kombucha", "temperatureC": 400}, "temperatureC"),
        ({"name": "x", "kind": "kombucha", "startedAt": "yesterday"}, "startedAt"),
        ({"name": "x", "kind": "kombucha", "startedAt": "2026-01-01T10:00:00"}, "startedAt"),
        ({"name": "x", "kind": "kombucha", "startedAt": "2999-01-01T10:00:00Z"}, "startedAt"),
        ({"name": "   ", "kind": "kombucha"}, "name"),
        ({"kind": "kombucha"}, "name"),
        ({"name": "x", "kind": "kombucha", "owner": "someone"}, "owner"),
    ],
)
def test_invalid_batch_bodies_name_the_field(
    client: Client, alice: User, body: dict[str, Any], field: str
) -> None:
    before = _batch_count(client, alice)
    problem = assert_problem(
        client.post("/batches", json=body, headers=alice.headers), 400, "validation"
    )
    assert any(
        field in error["field"] or field in error["message"] for error in problem["errors"]
    ), problem
    assert _batch_count(client, alice) == before


def test_malformed_json_is_a_400(client: Client, alice: User) -> None:
    response = client.post(
        "/batches",
        content=b"{not json",
        headers={**alice.headers, "content-type": "application/json"},
    )
    problem = assert_problem(response, 400, "bad-request")
    assert "JSON is malformed" in problem["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "brew"}, "type"),
        ({"type": "measure"}, "ph"),
        ({"type": "measure", "ph": 15}, "ph"),
        ({"type": "measure", "gravity": 2}, "gravity"),
        ({"type": "note", "note": "n" * 1001}, "note"),
        ({"type": "feed", "occurredAt": "2999-01-01T00:00:00Z"}, "occurredAt"),
    ],
)
def test_invalid_events_name_the_field(
    client: Client, alice: User, body: dict[str, Any], field: str
) -> None:
    batch = create_batch(client, alice)
    problem = assert_problem(
        client.post(f"/batches/{batch['id']}/events", json=body, headers=alice.headers),
        400,
        "validation",
    )
    assert any(field in error["field"] or field in error["message"] for error in problem["errors"])
    events = client.get(f"/batches/{batch['id']}/events", headers=alice.headers).json()
    assert events["items"] == []


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        "eyJTSyI6ICJ4In0",
        "e30",
        "x" * 600,
        "eyJTSyI6IkJBVENII0FBQSIsIkxTSTFTSyI6IkFBQSJ9",
    ],
)
def test_bad_cursor_is_a_400(client: Client, alice: User, cursor: str) -> None:
    response = client.get("/batches", params={"cursor": cursor}, headers=alice.headers)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_bad_event_cursor_is_a_400(client: Client, alice: User) -> None:
    batch = create_batch(client, alice)
    other = create_batch(client, alice)
    client.post(f"/batches/{other['id']}/events", json={"type": "feed"}, headers=alice.headers)
    page = client.get(f"/batches/{other['id']}/events", params={"limit": 1}, headers=alice.headers)
    foreign_cursor = page.json()["nextCursor"]
    response = client.get(
        f"/batches/{batch['id']}/events",
        params={"cursor": foreign_cursor or "x"},
        headers=alice.headers,
    )
    assert_problem(response, 400, "invalid-cursor")


@pytest.mark.parametrize("limit", [0, 101, -1, "many"])
def test_page_size_out_of_range_is_a_400(client: Client, alice: User, limit: object) -> None:
    response = client.get("/batches", params={"limit": str(limit)}, headers=alice.headers)
    assert_problem(response, 400, "validation")


def test_patch_requires_a_version(client: Client, alice: User) -> None:
    batch = create_batch(client, alice)
    response = client.patch(f"/batches/{batch['id']}", json={"name": "x"}, headers=alice.headers)
    problem = assert_problem(response, 400, "validation")
    assert any("version" in e["field"] or "version" in e["message"] for e in problem["errors"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": "1", "name": "x"}, "version"),
        ({"version": 1, "public": 1}, "public"),
        ({"version": 1, "public": "true"}, "public"),
        ({"version": 1, "temperatureC": "21.5"}, "temperatureC"),
        # A field named like an app dependency ("public") once turned into a 500.
        ({"version": 1, "public": {}}, "public"),
    ],
)
def test_values_of_another_json_type_are_refused_not_coerced(
    client: Client, alice: User, body: dict[str, Any], field: str
) -> None:
    batch = create_batch(client, alice)
    response = client.patch(f"/batches/{batch['id']}", json=body, headers=alice.headers)
    problem = assert_problem(response, 400, "validation")
    assert [e["field"] for e in problem["errors"]] == [field]
    after = client.get(f"/batches/{batch['id']}", headers=alice.headers).json()
    assert after["version"] == batch["version"]


def test_an_integer_written_with_a_zero_fraction_is_an_integer(client: Client, alice: User) -> None:
    """JSON Schema (and so the document) counts `2.0` as an integer; `2.5` is not one."""
    batch = create_batch(client, alice)
    split = f"/batches/{batch['id']}/split"
    refused = client.post(split, json={"name": "Bottle", "count": 2.5}, headers=alice.headers)
    problem = assert_problem(refused, 400, "validation")
    assert [e["field"] for e in problem["errors"]] == ["count"]
    made = client.post(split, json={"name": "Bottle", "count": 2.0}, headers=alice.headers)
    assert made.status_code == 201, made.text
    assert len(made.json()["bottles"]) == 2


def test_a_nested_field_of_another_type_is_named_by_its_path(client: Client, alice: User) -> None:
    response = client.patch("/me", json={"notifications": {"reminders": 0}}, headers=alice.headers)
    problem = assert_problem(response, 400, "validation")
    assert [e["field"] for e in problem["errors"]] == ["notifications.reminders"]


def test_oversized_body_is_a_413(client: Client, alice: User) -> None:
    response = client.post(
        "/batches",
        content=b'{"name": "' + b"x" * 70_000 + b'", "kind": "other"}',
        headers={**alice.headers, "content-type": "application/json"},
    )
    assert_problem(response, 413, "payload-too-large")


def _batch_count(client: Client, user: User) -> int:
    total = 0
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = client.get("/batches", params=params, headers=user.headers).json()
        total += len(page["items"])
        cursor = page["nextCursor"]
        if not cursor:
            return total


# Item 14 (issue 10): control characters would make the label SVG malformed XML.
CONTROL = ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\ufffe"]


@pytest.mark.parametrize("char", [*CONTROL, "\n", "\t", "\r"])
def test_a_control_character_in_a_one_line_field_is_refused_naming_it(
    client: Client, alice: User, char: str
) -> None:
    before = _batch_count(client, alice)
    body = {"name": f"Kefir{char}jar", "kind": "kombucha"}
    problem = assert_problem(
        client.post("/batches", json=body, headers=alice.headers), 400, "validation"
    )
    assert any(
        "name" in e["field"] and "control characters" in e["message"] for e in problem["errors"]
    ), problem
    assert _batch_count(client, alice) == before


@pytest.mark.parametrize("char", CONTROL)
def test_every_text_field_refuses_control_characters(
    client: Client, alice: User, char: str
) -> None:
    batch = create_batch(client, alice)
    base = f"/batches/{batch['id']}"
    text = f"a{char}b"
    attempts = [
        ("POST", "/batches", {"name": "x", "kind": "other", "notes": text}, "notes"),
        ("PATCH", base, {"version": 1, "name": text}, "name"),
        ("PATCH", base, {"version": 1, "notes": text}, "notes"),
        ("POST", f"{base}/events", {"type": "note", "note": text}, "note"),
        (
            "POST",
            f"{base}/reminders/confirm",
            {"text": text, "dueAt": "2099-01-01T00:00:00Z"},
            "text",
        ),
        ("PATCH", "/me", {"displayName": text}, "displayName"),
        ("PATCH", "/me", {"timeZone": f"Europe/Berlin{char}"}, "timeZone"),
        ("POST", "/devices", {"token": f"ExponentPushToken[{text}]", "platform": "ios"}, "token"),
    ]
    for method, path, body, field in attempts:
        response = client.request(method, path, json=body, headers=alice.headers)
        problem = assert_problem(response, 400, "validation")
        assert any(field in e["field"] for e in problem["errors"]), (path, problem)
    after = client.get(base, headers=alice.headers).json()
    assert (after["name"], after["notes"], after["version"]) == (batch["name"], None, 1)
    assert client.get(f"{base}/events", headers=alice.headers).json()["items"] == []
    assert client.get(f"{base}/reminders", headers=alice.headers).json()["items"] == []


def test_notes_keep_tabs_and_line_breaks_and_the_label_stays_well_formed(
    client: Client, alice: User
) -> None:
    batch = create_batch(client, alice, name="Tab-free name", notes="line one\r\nline\ttwo\n")
    assert batch["notes"] == "line one\r\nline\ttwo\n"
    event = client.post(
        f"/batches/{batch['id']}/events",
        json={"type": "note", "note": "a\tb\nc"},
        headers=alice.headers,
    )
    assert event.status_code == 201, event.text
    label = client.get(f"/batches/{batch['id']}/label.svg", headers=alice.headers)
    ElementTree.fromstring(label.content)  # noqa: S314 (our own response)


# Item 9 (issue 10): a time before 1970 crashed id generation after the batch was written.
OUT_OF_RANGE = ["0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "1999-12-31T23:59:59Z"]
FAR_FUTURE = ["2100-01-01T00:00:00Z", "9999-12-31T23:59:59Z"]


@pytest.mark.parametrize("zone", [None, "America/New_York", "Pacific/Kiritimati"])
@pytest.mark.parametrize("moment", OUT_OF_RANGE)
def test_a_start_before_2000_is_a_400_and_writes_nothing(
    client: Client, alice: User, moment: str, zone: str | None
) -> None:
    before = _batch_count(client, alice)
    headers = {**alice.headers, **({"X-Time-Zone": zone} if zone else {})}
    body = {"name": "Old", "kind": "milk_kefir", "startedAt": moment}
    for _ in range(2):  # a retry must not find a half-made batch either
        problem = assert_problem(
            client.post("/batches", json=body, headers=headers), 400, "validation"
        )
        assert any(
            "startedAt" in e["field"] or "startedAt" in e["message"] for e in problem["errors"]
        ), problem
    assert _batch_count(client, alice) == before


def test_the_earliest_accepted_start_gets_its_suggestions(client: Client, alice: User) -> None:
    response = client.post(
        "/batches",
        json={"name": "Y2K", "kind": "milk_kefir", "startedAt": "2000-01-01T00:00:00Z"},
        headers={**alice.headers, "X-Time-Zone": "America/New_York"},
    )
    assert response.status_code == 201, response.text
    batch_id = response.json()["id"]
    suggestions = client.get(
        f"/batches/{batch_id}/reminders/suggestions",
        headers={**alice.headers, "X-Time-Zone": "America/New_York"},
    )
    assert suggestions.status_code == 200, suggestions.text


@pytest.mark.parametrize("moment", OUT_OF_RANGE + FAR_FUTURE)
def test_every_date_time_field_is_bounded(client: Client, alice: User, moment: str) -> None:
    batch = create_batch(client, alice)
    base = f"/batches/{batch['id']}"
    attempts = [
        ("PATCH", base, {"version": 1, "startedAt": moment}, "startedAt"),
        ("POST", f"{base}/events", {"type": "feed", "occurredAt": moment}, "occurredAt"),
        ("POST", f"{base}/reminders/confirm", {"text": "t", "dueAt": moment}, "dueAt"),
    ]
    for method, path, body, field in attempts:
        response = client.request(method, path, json=body, headers=alice.headers)
        problem = assert_problem(response, 400, "validation")
        assert any(field in e["field"] or field in e["message"] for e in problem["errors"]), (
            path,
            problem,
        )
    assert client.get(base, headers=alice.headers).json()["version"] == 1
    assert client.get(f"{base}/events", headers=alice.headers).json()["items"] == []


def test_quiet_hours_refuse_a_trailing_line_break(client: Client, alice: User) -> None:
    """`$` in a pattern matches before a final newline; the clock times must not."""
    for value in ("07:00\n", "07:00\r"):
        body = {"notifications": {"quietStart": value, "quietEnd": "08:00"}}
        problem = assert_problem(
            client.patch("/me", json=body, headers=alice.headers), 400, "validation"
        )
        assert any("quietStart" in e["field"] for e in problem["errors"]), problem
