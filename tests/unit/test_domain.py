"""The pure rules: status transitions, event checks, ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.domain.batches import (
    can_transition,
    new_batch,
    new_event,
    statuses_allowed_before,
)
from app.domain.errors import InvalidInput
from app.domain.ids import is_ulid, new_ulid
from app.domain.profiles import NotificationPreferences, quiet_until

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_ulids_sort_by_time_and_are_unique() -> None:
    times = [NOW - timedelta(days=d) for d in (3, 2, 1, 0)]
    ids = [new_ulid(t) for t in times]
    assert ids == sorted(ids)
    assert all(is_ulid(i) for i in ids)
    assert len({new_ulid(NOW) for _ in range(1000)}) == 1000


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("active", "paused", True),
        ("paused", "active", True),
        ("active", "finished", True),
        ("finished", "active", True),
        ("finished", "archived", True),
        ("archived", "active", False),
        ("archived", "paused", False),
        ("archived", "finished", True),
        ("finished", "paused", False),
        ("archived", "archived", True),
        ("active", "archived", True),
        ("paused", "archived", True),
        ("paused", "finished", True),
        ("active", "active", True),
        ("paused", "paused", True),
        ("finished", "finished", True),
    ],
)
def test_status_transitions(current: str, target: str, allowed: bool) -> None:
    assert can_transition(current, target) is allowed  # type: ignore[arg-type]


# Each target with every status a batch may move to it from (itself included: a no-op),
# written out so the test does not re-derive the rule from the code it checks.
@pytest.mark.parametrize(
    ("target", "allowed_from"),
    [
        ("active", {"active", "paused", "finished"}),
        ("paused", {"paused", "active"}),
        ("finished", {"finished", "active", "paused", "archived"}),
        ("archived", {"archived", "active", "paused", "finished"}),
    ],
)
def test_statuses_allowed_before_a_move(target: str, allowed_from: set[str]) -> None:
    assert set(statuses_allowed_before(target)) == allowed_from  # type: ignore[arg-type]


def test_a_measure_needs_a_measurement() -> None:
    with pytest.raises(InvalidInput):
        new_event(
            batch_id="b",
            type="measure",
            occurred_at=None,
            note=None,
            ph=None,
            temperature_c=None,
            gravity=None,
            now=NOW,
        )


def test_a_late_logged_event_sorts_by_when_it_happened() -> None:
    earlier = NOW - timedelta(days=2)
    event = new_event(
        batch_id="b",
        type="feed",
        occurred_at=earlier,
        note=None,
        ph=None,
        temperature_c=None,
        gravity=None,
        now=NOW,
    )
    assert event.id < new_ulid(NOW - timedelta(days=1))


def test_a_batch_cannot_start_in_the_future() -> None:
    with pytest.raises(InvalidInput):
        new_batch(
            name="x",
            kind="other",
            started_at=NOW + timedelta(days=1),
            notes=None,
            temperature_c=None,
            now=NOW,
        )


BERLIN = ZoneInfo("Europe/Berlin")
NIGHT = NotificationPreferences(quiet_start="22:00", quiet_end="07:00")


@pytest.mark.parametrize(
    ("moment", "prefs", "until"),
    [
        # 23:30 CET the night the clocks go forward: 07:00 CEST is 05:00 UTC.
        (datetime(2027, 3, 27, 22, 30, tzinfo=UTC), NIGHT, datetime(2027, 3, 28, 5, tzinfo=UTC)),
        # 01:30 CEST the night they go back: 07:00 CET is 06:00 UTC.
        (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), NIGHT, datetime(2026, 10, 25, 6, tzinfo=UTC)),
        # After midnight, the same morning's end; the end itself is outside.
        (datetime(2026, 12, 3, 5, 0, tzinfo=UTC), NIGHT, datetime(2026, 12, 3, 6, tzinfo=UTC)),
        (datetime(2026, 12, 3, 6, 0, tzinfo=UTC), NIGHT, None),
        (datetime(2026, 12, 3, 12, 0, tzinfo=UTC), NIGHT, None),
        # Within one day: 13:00-15:00 at 13:30 CET.
        (
            datetime(2026, 12, 3, 12, 30, tzinfo=UTC),
            NotificationPreferences(quiet_start="13:00", quiet_end="15:00"),
            datetime(2026, 12, 3, 14, tzinfo=UTC),
        ),
        (datetime(2026, 12, 3, 23, 0, tzinfo=UTC), NotificationPreferences(), None),
    ],
)
def test_quiet_hours_end_in_the_profiles_zone_across_dst(
    moment: datetime, prefs: NotificationPreferences, until: datetime | None
) -> None:
    assert quiet_until(moment, prefs, BERLIN) == until
