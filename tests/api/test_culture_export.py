"""The CSV export carries cultures, their events and gift codes, and `cultureId` on batches."""

from __future__ import annotations

import csv
import io
import json

from litestar import Litestar
from litestar.testing import TestClient

from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.store.export import COLUMNS
from tests.conftest import new_user
from tests.helpers import add_culture_event, create_batch, create_culture

Client = TestClient[Litestar]


def test_the_export_has_culture_records(
    client: Client, stack: StackOutputs, emulator: Emulator
) -> None:
    user = new_user(stack, emulator, "exporter")
    culture = create_culture(
        client, user, name="Old grains", notes="=cmd|' /C calc'!A0", origin="bought", public=True
    )
    weigh = add_culture_event(client, user, culture["id"], type="weigh", grams=42.5, note="jar")
    batch = create_batch(client, user, cultureId=culture["id"])
    gift = client.post(f"/cultures/{culture['id']}/gifts", headers=user.headers).json()

    response = client.get("/export.csv", headers=user.headers)
    assert response.status_code == 200, response.text
    reader = csv.DictReader(io.StringIO(response.content.decode(), newline=""))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    exported = list(reader)
    by_type = {r["recordType"]: r for r in exported}
    assert set(by_type) >= {"culture", "culture_event", "gift_code", "batch"}

    row = by_type["culture"]
    assert (row["id"], row["name"], row["kind"], row["origin"]) == (
        culture["id"], "Old grains", "milk_kefir_grains", "bought",
    )  # fmt: skip
    assert row["notes"].startswith("'=")  # formula-safe
    assert (row["generation"], row["public"], row["status"]) == ("1", "true", "active")
    assert "feeds" not in row["other"]
    assert "weights" not in row["other"]

    event = by_type["culture_event"]
    assert (event["id"], event["cultureId"], event["type"], event["grams"], event["note"]) == (
        weigh["id"], culture["id"], "weigh", "42.5", "jar",
    )  # fmt: skip
    assert by_type["batch"]["id"] == batch["id"]
    assert by_type["batch"]["cultureId"] == culture["id"]

    code = by_type["gift_code"]
    assert code["cultureId"] == culture["id"]
    assert code["expiresAt"]
    text = json.dumps(exported)
    assert gift["code"] not in text
    assert gift["code"].replace("-", "") not in text
    assert "codeHash" not in text
