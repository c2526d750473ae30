"""The ingest function's handler (app.entrypoints.ingest, no web framework) answers as
the app's ingest routes do: the same requests, in-process, to both, compared. The
deployed function behind the emulator's gateway is in tests/e2e/test_ingest_gateway.py."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.config import Settings, get_settings
from app.dev.emulator import Emulator
from app.entrypoints import ingest as entrypoint
from tests.conftest import User
from tests.helpers import create_batch, function_environment

Client = TestClient[Litestar]


@pytest.fixture
def lambda_handler(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, emulator: Emulator
) -> Iterator[Any]:
    """`handler(event, context)` as Lambda calls it: settings from the environment."""
    function_environment(monkeypatch, settings, emulator.endpoint)
    entrypoint._ingest.cache_clear()
    yield entrypoint.handler
    get_settings.cache_clear()
    entrypoint._ingest.cache_clear()


def gateway_event(
    method: str, path: str, body: bytes, headers: dict[str, str], query: str = ""
) -> dict[str, Any]:
    """What API Gateway (HTTP API, payload 2.0) hands the function."""
    return {
        "version": "2.0",
        "routeKey": f"{method} /ingest/{{token}}",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {k.lower(): v for k, v in headers.items()},
        "requestContext": {
            "http": {"method": method, "path": path, "sourceIp": "127.0.0.1"},
            "requestId": "req-1",
            "stage": "$default",
        },
        "body": base64.b64encode(body).decode(),
        "isBase64Encoded": True,
    }


def both(
    client: Client,
    handler: Any,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    query: str = "",
) -> tuple[tuple[int, str, Any], tuple[int, str, Any]]:
    headers = headers or {}
    app = client.request(
        method, path + (f"?{query}" if query else ""), content=body, headers=headers
    )
    function = handler(gateway_event(method, path, body, headers, query), None)
    function_headers = {k.lower(): v for k, v in function["headers"].items()}
    return (
        (app.status_code, app.headers["content-type"], app.json()),
        (function["statusCode"], function_headers["content-type"], json.loads(function["body"])),
    )


def comparable(answer: tuple[int, str, Any]) -> tuple[int, str, Any]:
    """Validation messages are worded by the framework on one side: compare the fields
    (Litestar names the header by its parameter, `x_api_key`; the function as sent)."""
    status, content_type, body = answer
    if isinstance(body, dict) and body.get("errors"):
        fields = [e["field"].lower().replace("-", "_") for e in body["errors"]]
        body = {**body, "errors": fields, "detail": None}
    return status, content_type.split(";")[0], body


def test_the_function_answers_every_case_as_the_app_does(
    client: Client, lambda_handler: Any, alice: User
) -> None:
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=5)
    batch = create_batch(client, alice, kind="water_kefir", startedAt=start.isoformat())
    token = client.post(
        f"/batches/{batch['id']}/sensors", json={"name": "both"}, headers=alice.headers
    ).json()["token"]
    url = f"/ingest/{token}"
    serial = (start + timedelta(hours=2) - datetime(1899, 12, 30, tzinfo=UTC)) / timedelta(days=1)
    tilt = f"Timepoint={serial}&Temp=20&SG=1.030&Beer=x".encode()
    json_type = {"content-type": "application/json"}
    cases: list[tuple[str, str, bytes, dict[str, str], str]] = [
        (
            "POST",
            url,
            b'{"ph": 3.6, "at": "%s"}' % (start + timedelta(hours=1)).isoformat().encode(),
            json_type,
            "",
        ),
        (
            "POST",
            url,
            json.dumps(
                {
                    "name": "i",
                    "ID": 1,
                    "angle": 50.0,
                    "temperature": 68.0,
                    "temp_units": "F",
                    "gravity": 1.040,
                }
            ).encode(),
            json_type,
            "",
        ),
        ("POST", url, tilt, {"content-type": "application/x-www-form-urlencoded"}, "temp_unit=C"),
        ("POST", url, b'{"gravity": 1.040}', json_type, "temp_unit=X"),
        ("POST", url, b"{broken", json_type, ""),
        ("POST", url, b'{"ph": 99}', json_type, ""),
        ("POST", url, b'{"ph": 3.4, "pad": "%s"}' % (b"x" * 5000), json_type, ""),
        ("POST", f"/ingest/{'A' * 43}", b'{"ph": 3.4}', json_type, ""),
        ("POST", "/ingest/short", b'{"ph": 3.4}', json_type, ""),
        ("POST", "/ingest", b'{"ph": 3.4}', json_type, ""),
        ("POST", "/ingest", b'{"ph": 3.4}', {**json_type, "X-API-KEY": "k" * 200}, ""),
        ("POST", "/ingest", b'{"ph": 3.7}', {**json_type, "X-API-KEY": token}, ""),
    ]
    statuses = []
    for method, path, body, headers, query in cases:
        app, function = both(client, lambda_handler, method, path, body, headers, query)
        if app[0] == 200:  # stored twice, in the same minute: same answer but the time
            assert function[0] == 200, function
            assert {**function[2], "at": None} == {**app[2], "at": None}
        else:
            assert comparable(function) == comparable(app), (path, query, body[:40])
        statuses.append(app[0])
    assert statuses == [200, 200, 200, 400, 400, 400, 413, 404, 404, 404, 400, 200]


def test_the_function_logs_one_line_per_request_without_the_token(
    lambda_handler: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    token = "B" * 43
    answer = lambda_handler(
        gateway_event("POST", f"/ingest/{token}", b'{"ph": 3.4}', {"x-correlation-id": "c-1"}),
        None,
    )
    assert answer["statusCode"] == 404
    assert answer["headers"]["x-correlation-id"] == "c-1"
    output = capsys.readouterr().out
    assert token not in output
    [line] = [json.loads(x) for x in output.splitlines() if '"request"' in x]
    assert (line["path"], line["status"], line["correlation_id"]) == (
        "/ingest/[token]",
        404,
        "c-1",
    )
