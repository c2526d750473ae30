"""The suggestion table: what comes next for each kind, how temperature moves it, and
where steps counted in days land across a DST change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.domain.batches import Batch, BatchKind, Event, EventType, new_batch, new_event
from app.domain.errors import InvalidInput
from app.domain.reminders import (
    STEPS,
    Suggestion,
    add_local_days,
    check_due_at,
    follow_up,
    new_reminder,
    next_due,
    reminder_id,
    suggest,
    temperature_factor,
    zone_or_utc,
)

UTC_ZONE = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")


def batch(kind: BatchKind, started: datetime, temperature: float | None = None) -> Batch:
    return new_batch(
        name="Test", kind=kind, started_at=started, notes=None, temperature_c=temperature,
        now=started,
    )  # fmt: skip


def event(kind: EventType, at: datetime, temperature: float | None = None) -> Event:
    return new_event(
        batch_id="01JD0000000000000000000000", type=kind, occurred_at=at, note=None, ph=None,
        temperature_c=temperature, gravity=None, now=at,
    )  # fmt: skip


def only(suggestions: list[Suggestion], key: str) -> Suggestion:
    found = [s for s in suggestions if s.key == key]
    assert len(found) == 1, suggestions
    return found[0]


START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def test_milk_kefir_strains_about_a_day_later_at_room_temperature_and_repeats() -> None:
    found = suggest(batch("milk_kefir", START, 21), [], START, UTC_ZONE)
    assert [s.key for s in found] == ["strain"]
    assert found[0].due_at == START + timedelta(hours=24)
    assert found[0].repeat_every_hours == 24
    assert found[0].action == "strain"
    assert not found[0].overdue


@pytest.mark.parametrize(
    ("temperature", "hours"),
    [(21, 24), (26, 17), (31, 12), (16, 34), (11, 48), (0, 48)],
)
def test_milk_kefir_is_shorter_when_warmer_and_longer_when_cooler(
    temperature: float, hours: float
) -> None:
    strain = only(suggest(batch("milk_kefir", START, temperature), [], START, UTC_ZONE), "strain")
    elapsed = (strain.due_at - START).total_seconds() / 3600
    assert elapsed == pytest.approx(hours, abs=0.25)


def test_without_a_temperature_a_typical_kitchen_is_assumed() -> None:
    strain = only(suggest(batch("milk_kefir", START), [], START, UTC_ZONE), "strain")
    assert strain.temperature_c == 21
    assert strain.due_at == START + timedelta(hours=24)


def test_the_latest_measured_temperature_wins_over_the_batchs() -> None:
    measured = event("measure", START + timedelta(hours=1), temperature=26)
    found = suggest(
        batch("milk_kefir", START, 21), [measured], START + timedelta(hours=2), UTC_ZONE
    )
    assert only(found, "strain").temperature_c == 26


def test_water_kefir_first_ferment_stays_within_24_to_48_hours() -> None:
    for temperature, hours in ((22, 36), (35, 24), (5, 48)):
        strain = only(
            suggest(batch("water_kefir", START, temperature), [], START, UTC_ZONE), "strain"
        )
        assert strain.due_at - START == timedelta(hours=hours)


def test_kombucha_first_ferment_is_seven_to_fourteen_days() -> None:
    for temperature, days in ((24, 10), (30, 7), (15, 14)):
        found = suggest(batch("kombucha", START, temperature), [], START, UTC_ZONE)
        assert [s.key for s in found] == ["second_ferment"]
        assert found[0].due_at - START == timedelta(days=days)
        assert found[0].repeat_every_hours is None


def test_a_second_ferment_asks_for_bottling_in_one_to_three_days_until_bottled() -> None:
    second = START + timedelta(days=10)
    events = [event("second_ferment", second)]
    found = suggest(batch("kombucha", START, 24), events, second, UTC_ZONE)
    assert [s.key for s in found] == ["bottle"]
    assert found[0].due_at - second == timedelta(days=2)

    events.append(event("bottle", second + timedelta(days=2)))
    later = second + timedelta(days=2, hours=1)
    assert suggest(batch("kombucha", START, 24), events, later, UTC_ZONE) == []


def test_water_kefir_second_ferment_is_suggested_next_to_the_next_strain() -> None:
    strained = START + timedelta(hours=36)
    events = [event("strain", strained), event("second_ferment", strained)]
    found = suggest(batch("water_kefir", START, 22), events, strained, UTC_ZONE)
    assert [s.key for s in found] == ["strain", "bottle"]
    assert only(found, "strain").due_at == strained + timedelta(hours=36)
    assert only(found, "bottle").due_at == strained + timedelta(days=2)


def test_a_strain_restarts_the_milk_kefir_clock() -> None:
    strained = START + timedelta(hours=20, minutes=7)
    found = suggest(batch("milk_kefir", START, 21), [event("strain", strained)], strained, UTC_ZONE)
    # 24 h after the strain, rounded to the quarter hour.
    assert only(found, "strain").due_at == datetime(2026, 6, 3, 4, 0, tzinfo=UTC)


def test_sourdough_is_fed_twice_a_day_at_room_temperature_and_weekly_from_the_fridge() -> None:
    room = suggest(batch("sourdough", START, 24), [], START, UTC_ZONE)
    assert [(s.key, s.due_at - START, s.repeat_every_hours) for s in room] == [
        ("feed", timedelta(hours=12), 12)
    ]
    fridge = suggest(batch("sourdough", START, 4), [], START, UTC_ZONE)
    assert [(s.key, s.due_at - START, s.repeat_every_hours) for s in fridge] == [
        ("feed_fridge", timedelta(days=7), 168)
    ]


def test_other_batches_get_no_suggestions() -> None:
    assert suggest(batch("other", START, 21), [], START, UTC_ZONE) == []
    assert STEPS["other"] == ()


def test_an_overdue_step_is_suggested_soon_and_flagged() -> None:
    now = START + timedelta(hours=30, minutes=2)
    strain = only(suggest(batch("milk_kefir", START, 21), [], now, UTC_ZONE), "strain")
    assert strain.overdue
    assert now + timedelta(minutes=15) <= strain.due_at <= now + timedelta(minutes=30)


def test_days_land_on_the_same_wall_clock_time_across_the_spring_dst_change_in_berlin() -> None:
    # Started Saturday 2027-03-20 09:00 CET (08:00Z); clocks go forward on 2027-03-28.
    started = datetime(2027, 3, 20, 8, 0, tzinfo=UTC)
    found = suggest(batch("kombucha", started, 24), [], started, BERLIN)
    due = only(found, "second_ferment").due_at
    assert due.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M %Z") == "2027-03-30 09:00 CEST"
    assert due == datetime(2027, 3, 30, 7, 0, tzinfo=UTC)  # 239 h later, not 240
    # The same batch for a user in UTC is exactly ten days.
    in_utc = suggest(batch("kombucha", started, 24), [], started, UTC_ZONE)
    assert only(in_utc, "second_ferment").due_at == started + timedelta(days=10)


def test_days_land_on_the_same_wall_clock_time_across_the_autumn_dst_change_in_berlin() -> None:
    # Second ferment on 2026-10-24 20:00 CEST (18:00Z); clocks go back on 2026-10-25.
    second = datetime(2026, 10, 24, 18, 0, tzinfo=UTC)
    found = suggest(
        batch("kombucha", second - timedelta(days=10), 24),
        [event("second_ferment", second)],
        second,
        BERLIN,
    )
    due = only(found, "bottle").due_at
    assert due.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M %Z") == "2026-10-26 20:00 CET"
    assert due - second == timedelta(hours=49)


def test_hours_are_elapsed_hours_whatever_the_zone() -> None:
    started = datetime(2027, 3, 27, 20, 0, tzinfo=UTC)  # the night Berlin skips 02:00-03:00
    in_berlin = only(suggest(batch("milk_kefir", started, 21), [], started, BERLIN), "strain")
    in_utc = only(suggest(batch("milk_kefir", started, 21), [], started, UTC_ZONE), "strain")
    assert in_berlin.due_at == in_utc.due_at == started + timedelta(hours=24)


def test_a_wall_time_the_dst_change_skips_moves_forward() -> None:
    # 02:30 on 2027-03-27 plus one day is 02:30 on 2027-03-28, which Berlin skips.
    moment = datetime(2027, 3, 27, 1, 30, tzinfo=UTC)  # 02:30 CET
    landed = add_local_days(moment, 1, BERLIN)
    assert landed.astimezone(BERLIN).strftime("%H:%M %Z") == "03:30 CEST"


def test_an_unknown_zone_means_utc() -> None:
    assert zone_or_utc("Mars/Olympus_Mons").key == "UTC"
    assert zone_or_utc(None).key == "UTC"
    assert zone_or_utc("Europe/Berlin").key == "Europe/Berlin"


def test_warmer_is_faster() -> None:
    assert temperature_factor(21, 31) == pytest.approx(0.5)
    assert temperature_factor(21, 11) == pytest.approx(2.0)


def test_due_times_must_be_ahead_and_within_a_year() -> None:
    now = START
    with pytest.raises(InvalidInput, match="future"):
        check_due_at(now - timedelta(minutes=1), now)
    with pytest.raises(InvalidInput, match="future"):
        check_due_at(now + timedelta(seconds=10), now)
    with pytest.raises(InvalidInput, match="year"):
        check_due_at(now + timedelta(days=366), now)
    assert check_due_at(now + timedelta(minutes=1, microseconds=5), now) == now + timedelta(
        minutes=1
    )


def test_the_same_confirmation_gives_the_same_reminder_id() -> None:
    due = START + timedelta(days=1)
    args = {"sub": "u1", "owner_id": "b1", "action": "strain", "text": "Strain", "due_at": due}
    first = reminder_id(**args, repeat=24)  # type: ignore[arg-type]
    assert first == reminder_id(**args, repeat=24)  # type: ignore[arg-type]
    assert first != reminder_id(**args, repeat=None)  # type: ignore[arg-type]
    assert first != reminder_id(**{**args, "sub": "u2"}, repeat=24)  # type: ignore[arg-type]
    # ULIDs sort by their time part: the due time.
    later = reminder_id(**{**args, "due_at": due + timedelta(hours=1)}, repeat=24)  # type: ignore[arg-type]
    assert later > first


def test_a_repeating_reminder_counts_from_when_it_was_done() -> None:
    reminder = new_reminder(
        sub="u1", batch_id="b1", action="strain", text="Strain", due_at=START + timedelta(days=1),
        repeat_every_hours=24, suggestion_key="strain", now=START,
    )  # fmt: skip
    done_at = START + timedelta(hours=27)  # three hours late
    following = follow_up(reminder, done_at, done_at)
    assert following is not None
    assert following.due_at == done_at + timedelta(hours=24)
    assert following.id != reminder.id
    assert following.status == "pending"
    # Done long after: the periods already past are skipped.
    assert next_due(done_at, 24, done_at + timedelta(hours=50)) == done_at + timedelta(hours=72)
