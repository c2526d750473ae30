"""Devices through the emulator's API Gateway into the deployed ingest function: no
Cognito token on the route, the sensor's token is the credential. What it wrote is filed
from the table's stream in process (`file_readings`); the deployed consumer doing the
same is tests/e2e/test_readings_stream.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import User
from tests.helpers import assert_problem
from tests.stream import Filer

pytestmark = pytest.mark.e2e


def excel_serial(at: datetime) -> float:
    return (at - datetime(1899, 12, 30, tzinfo=UTC)).total_seconds() / 86400


def stored(gateway: httpx.Client, user: User, batch_id: str) -> list[dict[str, Any]]:
    response = gateway.get(f"/batches/{batch_id}/readings/raw", headers=user.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_devices_post_through_the_gateway_without_a_cognito_token(
    gateway: httpx.Client, alice: User, file_readings: Filer
) -> None:
    start = (datetime.now(UTC) - timedelta(hours=1)).replace(second=0, microsecond=0)
    batch = gateway.post(
        "/batches",
        json={"name": "Gateway ferment", "kind": "water_kefir", "startedAt": start.isoformat()},
        headers=alice.headers,
    ).json()
    sensor = gateway.post(
        f"/batches/{batch['id']}/sensors", json={"name": "iSpindel"}, headers=alice.headers
    )
    assert sensor.status_code == 201, sensor.text
    url = f"/ingest/{sensor.json()['token']}"
    ispindel = {"name": "i", "ID": 1, "angle": 50.0, "temperature": 68.0, "temp_units": "F",
                "gravity": 1.040, "battery": 3.9, "interval": 900}  # fmt: skip
    gravitymon = {"name": "g", "ID": "x", "angle": 45.0, "temperature": 20.0, "temp_units": "C",
                  "gravity": 10.0, "gravity-unit": "P", "run-time": 1.0}  # fmt: skip
    posts = [
        gateway.post(url, json=ispindel),
        gateway.post(url, json=gravitymon),
        gateway.post(
            url,
            content=f"Timepoint={excel_serial(datetime.now(UTC))}&Temp=68&SG=1.030&Beer=x",
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
        gateway.post(url, json={"ph": 3.4, "temperatureC": 22.5, "at": start.isoformat()}),
    ]
    assert [p.status_code for p in posts] == [200] * 4, [p.text for p in posts]
    assert [p.json()["format"] for p in posts] == ["ispindel", "gravitymon", "tilt-form", "generic"]
    assert posts[0].json()["temperatureC"] == pytest.approx(20.0)
    assert posts[1].json()["gravity"] == pytest.approx(1.0400, abs=1e-3)
    file_readings()
    before = stored(gateway, alice, batch["id"])
    # Each in our units: 68 °F and 20 °C are 20 °C; 10 °P is SG 1.040. The three posted
    # "now" share their minute (merged: means), the generic one has its own.
    assert sum(r["count"] for r in before) == 4
    [generic] = [r for r in before if r["ph"] is not None]
    assert (generic["ph"], generic["temperatureC"]) == (3.4, 22.5)
    for merged in [r for r in before if r is not generic]:
        assert merged["temperatureC"] == pytest.approx(20.0)
        assert 1.030 - 1e-3 <= merged["gravity"] <= 1.040 + 1e-3
    assert_problem(gateway.post(f"/ingest/{'A' * 43}", json={"ph": 3.4}), 404, "not-found")
    assert_problem(gateway.post(url, content=b"{broken"), 400, "validation")
    assert file_readings() == []
    assert stored(gateway, alice, batch["id"]) == before


def test_a_flood_through_the_gateway_gets_429_and_the_count_stays_exact(
    gateway: httpx.Client, alice: User, file_readings: Filer
) -> None:
    """The deployed function runs without the web framework (app.entrypoints.ingest):
    the guarantees hold through it too."""
    minute = (datetime.now(UTC) - timedelta(minutes=10)).replace(second=0, microsecond=0)
    batch = gateway.post(
        "/batches",
        json={
            "name": "Flood",
            "kind": "kombucha",
            "startedAt": (minute - timedelta(hours=1)).isoformat(),
        },
        headers=alice.headers,
    ).json()
    sensor = gateway.post(
        f"/batches/{batch['id']}/sensors", json={"name": "loop"}, headers=alice.headers
    ).json()
    url = f"/ingest/{sensor['token']}"
    answers = [
        gateway.post(url, json={"ph": 4.0, "at": (minute + timedelta(seconds=i)).isoformat()})
        for i in range(33)
    ]
    assert [a.status_code for a in answers] == [200] * 30 + [429] * 3
    flooded = assert_problem(answers[-1], 429, "too-many-readings")
    assert flooded["detail"]
    assert 1 <= int(answers[-1].headers["retry-after"]) <= 60
    file_readings()
    [reading] = stored(gateway, alice, batch["id"])
    assert reading["count"] == 30

    # TiltBridge's header key is the same credential; once revoked, both answer 404.
    keyed = gateway.post("/ingest", json={"ph": 4.1}, headers={"X-API-KEY": sensor["token"]})
    assert keyed.status_code == 200, keyed.text
    file_readings()
    before = stored(gateway, alice, batch["id"])
    revoked = gateway.delete(f"/sensors/{sensor['id']}", headers=alice.headers)
    assert revoked.status_code == 204
    assert_problem(gateway.post(url, json={"ph": 4.2}), 404, "not-found")
    assert_problem(
        gateway.post("/ingest", json={"ph": 4.2}, headers={"X-API-KEY": sensor["token"]}),
        404,
        "not-found",
    )
    assert_problem(
        gateway.post(url, content=b'{"ph": 4.2, "pad": "' + b"x" * 5000 + b'"}'),
        413,
        "payload-too-large",
    )
    file_readings()
    assert stored(gateway, alice, batch["id"]) == before
