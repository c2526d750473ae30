"""Alerts from readings, end to end in the app: a simulated ferment posted over
emulated time (the readings carry their own times), pushed to the loopback Expo server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Litestar
from litestar.testing import TestClient

from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.domain.alerts import Alert
from tests.conftest import User, new_user
from tests.expo_server import ExpoServer, new_token
from tests.helpers import assert_problem, create_batch
from tests.stream import Filer

Client = TestClient[Litestar]


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def user_with_phone(client: Client, stack: StackOutputs, emulator: Emulator) -> tuple[User, str]:
    user = new_user(stack, emulator, "brewer")
    phone = new_token()
    response = client.post(
        "/devices", json={"token": phone, "platform": "ios"}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    return user, phone


def sensor_token(client: Client, user: User, batch_id: str) -> str:
    response = client.post(
        f"/batches/{batch_id}/sensors", json={"name": "hydrometer"}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def alert_events(client: Client, user: User, batch_id: str) -> list[dict[str, Any]]:
    response = client.get(
        f"/batches/{batch_id}/events", params={"limit": 100}, headers=user.headers
    )
    return [e for e in response.json()["items"] if e["type"] == "alert"]


def test_a_ferment_going_flat_fires_ready_once_and_pushes_once(
    client: Client, stack: StackOutputs, emulator: Emulator, expo: ExpoServer,
    file_readings: Filer,
) -> None:  # fmt: skip
    user, phone = user_with_phone(client, stack, emulator)
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=5)
    batch = create_batch(client, user, kind="water_kefir", startedAt=iso(start))
    token = sensor_token(client, user, batch["id"])
    fired: list[tuple[int, list[str]]] = []
    for hour in range(0, 120):
        gravity = round(max(1.010, 1.050 - hour * 0.001), 4)
        response = client.post(
            f"/ingest/{token}",
            json={
                "gravity": gravity,
                "temperatureC": 22.0,
                "at": iso(start + timedelta(hours=hour)),
            },
        )
        assert response.status_code == 200, response.text
        if keys := [alert.key for alert in file_readings()]:
            fired.append((hour, keys))
    # 1.010 is reached at hour 40; 48 h later the gravity has been stable.
    assert fired == [(88, ["gravity_stable"])]
    messages = expo.messages_to(phone)
    assert [m["title"] for m in messages] == ["Ready to bottle"]
    assert messages[0]["data"] == {"batchId": batch["id"], "alert": "gravity_stable"}
    [event] = alert_events(client, user, batch["id"])
    assert event["occurredAt"].startswith(iso(start + timedelta(hours=88))[:16])
    assert event["note"].startswith("Ready to bottle")


def test_ph_crossing_the_kombucha_target_fires_once(
    client: Client, stack: StackOutputs, emulator: Emulator, expo: ExpoServer,
    file_readings: Filer,
) -> None:  # fmt: skip
    user, phone = user_with_phone(client, stack, emulator)
    start = datetime.now(UTC) - timedelta(days=4)
    batch = create_batch(client, user, kind="kombucha", startedAt=iso(start))
    token = sensor_token(client, user, batch["id"])
    series = [4.2, 3.9, 3.6, 3.4, 3.25, 3.2, 3.15, 3.1, 3.12, 3.08]
    alerts = []
    for i, ph in enumerate(series):
        response = client.post(
            f"/ingest/{token}", json={"ph": ph, "at": iso(start + timedelta(hours=6 * i))}
        )
        assert response.status_code == 200, response.text
        alerts += [(i, alert.key) for alert in file_readings()]
    assert alerts == [(5, "ph_target")]
    assert [m["title"] for m in expo.messages_to(phone)] == ["pH target reached"]
    assert len(alert_events(client, user, batch["id"])) == 1


def test_silence_fires_offline_once_until_the_sensor_reports_again(
    client: Client, app: Litestar, stack: StackOutputs, emulator: Emulator, expo: ExpoServer,
    file_readings: Filer,
) -> None:  # fmt: skip
    user, phone = user_with_phone(client, stack, emulator)
    batch = create_batch(client, user, kind="milk_kefir")
    token = sensor_token(client, user, batch["id"])
    last = datetime.now(UTC)
    response = client.post(
        f"/ingest/{token}", json={"temperatureC": 22.0, "interval": 600, "at": iso(last)}
    )
    assert response.status_code == 200, response.text
    assert file_readings() == []
    check = app.state.silence_check
    check.run(last + timedelta(minutes=29))
    assert alert_events(client, user, batch["id"]) == []
    check.run(last + timedelta(minutes=31))
    check.run(last + timedelta(minutes=45))
    [offline] = alert_events(client, user, batch["id"])
    assert offline["note"].startswith("Sensor offline")
    assert [m["title"] for m in expo.messages_to(phone)] == ["Sensor offline"]
    client.post(
        f"/ingest/{token}", json={"temperatureC": 22.0, "at": iso(last + timedelta(minutes=10))}
    )
    assert file_readings() == []
    check.run(last + timedelta(minutes=39))
    assert len(alert_events(client, user, batch["id"])) == 1
    check.run(last + timedelta(hours=2))
    assert len(alert_events(client, user, batch["id"])) == 2


def test_the_owner_changes_the_rules_and_the_next_reading_uses_them(
    client: Client, stack: StackOutputs, emulator: Emulator, bob: User, file_readings: Filer
) -> None:
    user, _ = user_with_phone(client, stack, emulator)
    batch = create_batch(client, user, kind="kombucha")
    url = f"/batches/{batch['id']}/alerts/rules"
    defaults = client.get(url, headers=user.headers).json()
    assert defaults["phTarget"] == 3.2
    assert defaults["phSafetyMax"] == 4.6
    token = sensor_token(client, user, batch["id"])
    first = client.post(f"/ingest/{token}", json={"ph": 3.5})
    assert first.status_code == 200, first.text
    assert file_readings() == []
    changed = client.put(
        url,
        json={"phTarget": 3.6, "temperatureMin": 20, "temperatureMax": 28},
        headers=user.headers,
    )
    assert changed.status_code == 200, changed.text
    assert client.get(url, headers=user.headers).json()["phTarget"] == 3.6
    second = client.post(f"/ingest/{token}", json={"ph": 3.5})
    assert second.status_code == 200, second.text
    assert [alert.key for alert in file_readings()] == ["ph_target"]
    assert_problem(client.get(url, headers=bob.headers), 404, "not-found")
    assert_problem(
        client.put(url, json={"temperatureMin": 30, "temperatureMax": 20}, headers=user.headers),
        400,
        "validation",
    )
    assert_problem(client.put(url, json={"phTarget": 15}, headers=user.headers), 400, "validation")


def alert_schedules(scheduler: Any, stack: StackOutputs, batch_id: str) -> list[dict[str, Any]]:
    listed = scheduler.list_schedules(
        GroupName=stack.reminders_schedule_group, NamePrefix="alerts-"
    )["Schedules"]
    found = [
        scheduler.get_schedule(Name=entry["Name"], GroupName=stack.reminders_schedule_group)
        for entry in listed
    ]
    return [s for s in found if batch_id in s["Target"]["Input"]]


def quiet_around(client: Client, user: User, now: datetime, zone: str) -> datetime:
    """Quiet hours from an hour before `now` to two hours after, in `zone`; their end."""
    local = now.astimezone(ZoneInfo(zone))
    start, end = local - timedelta(hours=1), local + timedelta(hours=2)
    response = client.patch(
        "/me",
        json={
            "timeZone": zone,
            "notifications": {"quietStart": f"{start:%H:%M}", "quietEnd": f"{end:%H:%M}"},
        },
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    return end.replace(second=0, microsecond=0).astimezone(UTC)


def test_an_alert_in_quiet_hours_waits_for_their_end_and_a_safety_alert_does_not(
    client: Client, stack: StackOutputs, emulator: Emulator, expo: ExpoServer, scheduler: Any,
    file_readings: Filer,
) -> None:  # fmt: skip
    user, phone = user_with_phone(client, stack, emulator)
    end = quiet_around(client, user, datetime.now(UTC), "America/New_York")
    start = datetime.now(UTC) - timedelta(days=8)
    batch = create_batch(client, user, kind="kombucha", startedAt=iso(start))
    token = sensor_token(client, user, batch["id"])

    ready = client.post(f"/ingest/{token}", json={"ph": 3.1})
    assert ready.status_code == 200, ready.text
    assert [alert.key for alert in file_readings()] == ["ph_target"]
    assert expo.messages_to(phone) == []  # logged as an event, not pushed yet
    assert len(alert_events(client, user, batch["id"])) == 1
    [deferred] = alert_schedules(scheduler, stack, batch["id"])
    assert deferred["ScheduleExpression"] == f"at({end:%Y-%m-%dT%H:%M:%S})"
    assert deferred["Target"]["Arn"] == stack.reminders_function_arn
    payload = json.loads(deferred["Target"]["Input"])
    assert payload["kind"] == "deferred-alerts"
    assert [alert["kind"] for alert in payload["alerts"]] == ["ph_target"]

    unsafe = client.post(f"/ingest/{token}", json={"ph": 4.9})  # 8 days old, above 4.6
    assert unsafe.status_code == 200, unsafe.text
    assert [alert.key for alert in file_readings()] == ["ph_safety"]
    assert [m["title"] for m in expo.messages_to(phone)] == ["Do not drink yet"]
    assert len(alert_schedules(scheduler, stack, batch["id"])) == 1


def test_quiet_hours_of_alerts_end_on_local_time_across_a_dst_change(
    app: Litestar, client: Client, stack: StackOutputs, emulator: Emulator, expo: ExpoServer,
    scheduler: Any,
) -> None:  # fmt: skip
    """Quiet 22:00-07:00 in Berlin; an alert at 23:30 the night the clocks go forward
    (2027-03-28) is pushed at 07:00 CEST, 05:00 UTC (06:00 UTC would forget DST)."""
    user, phone = user_with_phone(client, stack, emulator)
    client.patch(
        "/me",
        json={
            "timeZone": "Europe/Berlin",
            "notifications": {"quietStart": "22:00", "quietEnd": "07:00"},
        },
        headers=user.headers,
    )
    batch = create_batch(client, user, kind="kombucha")
    at = datetime(2027, 3, 27, 22, 30, tzinfo=UTC)
    alert = Alert(kind="temperature", key="temperature", at=at, title="Too warm", body="b")
    pushed = app.state.posted_readings.push().send(user.sub, batch["id"], [alert], now=at)
    assert (pushed.tickets, pushed.deferred) == ([], 1)
    [deferred] = alert_schedules(scheduler, stack, batch["id"])
    assert deferred["ScheduleExpression"] == "at(2027-03-28T05:00:00)"
    assert expo.messages_to(phone) == []


def test_a_revoked_or_moved_sensor_is_forgotten_not_reported_offline(
    client: Client, app: Litestar, stack: StackOutputs, emulator: Emulator, expo: ExpoServer,
    file_readings: Filer,
) -> None:  # fmt: skip
    """Silent because it was revoked, or moved to another batch: the check forgets it
    (the batch's state no longer lists it) and fires nothing; a sensor still there does
    fire."""
    user, phone = user_with_phone(client, stack, emulator)
    batch, elsewhere = create_batch(client, user), create_batch(client, user)
    sensors = {}
    for name in ("revoked", "moved", "kept"):
        created = client.post(
            f"/batches/{batch['id']}/sensors", json={"name": name}, headers=user.headers
        ).json()
        sensors[name] = created
        last = datetime.now(UTC)
        posted = client.post(
            f"/ingest/{created['token']}", json={"ph": 4.0, "interval": 60, "at": iso(last)}
        )
        assert posted.status_code == 200, posted.text
    assert file_readings() == []
    revoked = client.delete(f"/sensors/{sensors['revoked']['id']}", headers=user.headers)
    assert revoked.status_code == 204
    moved = client.patch(
        f"/sensors/{sensors['moved']['id']}",
        json={"batchId": elsewhere["id"]},
        headers=user.headers,
    )
    assert moved.status_code == 200, moved.text

    assert app.state.silence_check.run(last + timedelta(minutes=5)) >= 1
    [offline] = alert_events(client, user, batch["id"])
    assert offline["note"].startswith("Sensor offline")
    assert [m["title"] for m in expo.messages_to(phone)] == ["Sensor offline"]
    state = app.state.silence_check.readings.alert_state(user.sub, batch["id"])
    assert set(state.sensors) == {sensors["kept"]["id"]}
