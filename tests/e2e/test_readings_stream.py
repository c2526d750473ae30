"""The readings feed as deployed: readings posted through the emulator's API Gateway
into the ingest function reach the alerts function through the table's stream (the
event source mapping Terraform applied, enabled for this test only), which files them
and pushes the alert they fire to the loopback Expo server, once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx
import pytest

from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from tests.conftest import new_user
from tests.expo_server import ExpoServer, new_token
from tests.helpers import wait_until

pytestmark = pytest.mark.e2e

# The emulator invokes the function ~0.1 s after a write, but a mapping enabled late
# first hands over what the suite wrote while it was off (filed already: skipped).
FILING_BUDGET = 120.0


@pytest.fixture
def readings_feed(emulator: Emulator, stack: StackOutputs) -> Iterator[None]:
    """The mapping, enabled for this test only (tests/conftest.py applies it off)."""
    lam: Any = boto3.client("lambda", endpoint_url=emulator.endpoint, region_name=stack.region)
    uuid = stack.readings_feed_mapping_uuid
    assert uuid is not None
    lam.update_event_source_mapping(UUID=uuid, Enabled=True)
    try:
        yield
    finally:
        lam.update_event_source_mapping(UUID=uuid, Enabled=False)


def test_readings_through_the_gateway_are_filed_by_the_deployed_alerts_function(
    gateway: httpx.Client,
    emulator: Emulator,
    stack: StackOutputs,
    expo: ExpoServer,
    readings_feed: None,
) -> None:
    user = new_user(stack, emulator, "fed")
    phone = new_token()
    device = gateway.post(
        "/devices", json={"token": phone, "platform": "ios"}, headers=user.headers
    )
    assert device.status_code == 201, device.text
    start = (datetime.now(UTC) - timedelta(days=4)).replace(second=0, microsecond=0)
    batch = gateway.post(
        "/batches",
        json={"name": "Fed jar", "kind": "kombucha", "startedAt": start.isoformat()},
        headers=user.headers,
    ).json()
    sensor = gateway.post(
        f"/batches/{batch['id']}/sensors", json={"name": "pH"}, headers=user.headers
    ).json()
    series = [3.9, 3.6, 3.4, 3.2, 3.1, 3.05]  # crosses kombucha's 3.2 at the fourth
    now = datetime.now(UTC).replace(microsecond=0)
    ats = [now - timedelta(hours=len(series) - i) for i in range(len(series))]
    for ph, at in zip(series, ats, strict=True):
        posted = gateway.post(f"/ingest/{sensor['token']}", json={"ph": ph, "at": at.isoformat()})
        assert posted.status_code == 200, posted.text

    def filed() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = gateway.get(
            f"/batches/{batch['id']}/readings/raw", headers=user.headers
        ).json()["items"]
        return items

    assert wait_until(lambda: len(filed()) == len(series), FILING_BUDGET), filed()
    assert [r["ph"] for r in filed()] == series
    assert wait_until(lambda: bool(expo.messages_to(phone)), FILING_BUDGET), "no push"
    events = gateway.get(
        f"/batches/{batch['id']}/events", params={"limit": 100}, headers=user.headers
    ).json()["items"]
    [alert] = [e for e in events if e["type"] == "alert"]
    assert alert["note"].startswith("pH target reached")
    assert alert["occurredAt"].startswith(ats[3].strftime("%Y-%m-%dT%H:%M"))
    [message] = expo.messages_to(phone)
    assert message["data"] == {"batchId": batch["id"], "alert": "ph_target"}
