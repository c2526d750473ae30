"""The culture rules with no I/O: batch lengths, gift codes, what a viewer sees of a node."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
import pytest

from app.domain.cultures import (
    BatchStart,
    Gift,
    LineageNode,
    child_of,
    display_code,
    gift_state,
    median_batch_hours,
    new_culture,
    new_culture_event,
    new_gift_code,
    normalize_gift_code,
    suggest_care,
    view_of,
)
from app.domain.errors import InvalidInput

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def at(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


def test_a_batch_lasts_until_the_cultures_next_batch_starts() -> None:
    batches = [
        BatchStart("milk_kefir", at(0)),
        BatchStart("milk_kefir", at(24)),
        BatchStart("milk_kefir", at(60)),  # 36 h after the last
        BatchStart("water_kefir", at(70)),  # the milk kefir batch before it: 10 h
        BatchStart("milk_kefir", at(100)),  # still running: not counted
    ]
    assert median_batch_hours(batches[::-1]) == {"milk_kefir": 24.0, "water_kefir": 30.0}
    assert median_batch_hours(batches[:1]) == {}


def test_gift_codes_are_random_and_read_back_however_typed() -> None:
    codes = {new_gift_code() for _ in range(200)}
    assert len(codes) == 200
    code = codes.pop()
    assert normalize_gift_code(display_code(code).lower()) == code
    assert normalize_gift_code(" ".join(display_code(code).split("-"))) == code
    assert normalize_gift_code("OIL0" * 4) == "0110" * 4  # look-alikes, as Crockford reads them
    assert normalize_gift_code("short") is None
    assert normalize_gift_code("U" * 16) is None  # not in the alphabet


def test_a_gift_is_open_until_claimed_or_expired() -> None:
    gift = Gift(code_hash="h", culture_id="c", giver_sub="s", name="n", kind="scoby",
                parent_ancestors=(), created_at=NOW, expires_at=at(24 * 7))  # fmt: skip
    assert gift_state(gift, at(1)) == "open"
    assert gift_state(gift, at(24 * 7)) == "expired"
    claimed = msgspec.structs.replace(gift, claimed_at=at(1), claimed_culture_id="d")
    assert gift_state(claimed, at(2)) == "claimed"
    assert gift_state(claimed, at(24 * 8)) == "claimed"


def test_a_child_is_one_generation_on_with_its_ancestry() -> None:
    root = new_culture(name="root", kind="scoby", acquired_at=None, origin="bought",
                       notes=None, public=False, now=NOW)  # fmt: skip
    child = child_of(root.id, root.ancestors, name="c", kind="scoby", origin="split",
                     notes=None, now=NOW)  # fmt: skip
    grandchild = child_of(child.id, child.ancestors, name="g", kind="scoby", origin="gift",
                          notes=None, now=NOW)  # fmt: skip
    assert (root.generation, child.generation, grandchild.generation) == (1, 2, 3)
    assert grandchild.ancestors == (child.id, root.id)


def test_weigh_events_and_grams_go_together() -> None:
    with pytest.raises(InvalidInput):
        new_culture_event(culture_id="c", type="weigh", occurred_at=None, note=None,
                          grams=None, now=NOW)  # fmt: skip
    with pytest.raises(InvalidInput):
        new_culture_event(culture_id="c", type="feed", occurred_at=None, note=None,
                          grams=5, now=NOW)  # fmt: skip
    with pytest.raises(InvalidInput):
        new_culture_event(culture_id="c", type="feed", occurred_at=at(1), note=None,
                          grams=None, now=NOW)  # fmt: skip


@pytest.mark.parametrize(
    ("owner", "public", "deleted", "viewer", "visibility", "label", "shows_name"),
    [
        ("me", False, False, "me", "mine", "Grains", True),
        ("other", True, False, "me", "shared", "Grains", True),
        ("other", False, False, "me", "private", "a private culture", False),
        ("other", False, False, None, "private", "a private culture", False),
        (None, False, True, "me", "deleted", "a deleted culture", False),
    ],
)
def test_what_a_viewer_sees_of_a_node(
    owner: str | None, public: bool, deleted: bool, viewer: str | None,
    visibility: str, label: str, shows_name: bool,
) -> None:  # fmt: skip
    node = LineageNode(id="X", owner_sub=owner, parent_id=None, ancestors=(), generation=1,
                       children=(), public=public, name="Grains", kind="scoby",
                       acquired_at=NOW - timedelta(days=3), deleted=deleted)  # fmt: skip
    view = view_of(node, viewer, NOW)
    assert (view.visibility, view.label) == (visibility, label)
    assert (view.name, view.kind, view.age_days) == (
        ("Grains", "scoby", 3) if shows_name else (None, None, None)
    )


def test_care_is_counted_from_the_last_feed_and_keeps_the_wall_clock_across_dst() -> None:
    nine_days_ago = NOW - timedelta(days=9)
    starter = new_culture(name="s", kind="sourdough_starter", acquired_at=nine_days_ago,
                          origin="bought", notes=None, public=False, now=nine_days_ago)  # fmt: skip
    [feed] = suggest_care(starter, at(-2), NOW, ZoneInfo("UTC"))
    assert (feed.key, feed.action, feed.due_at, feed.repeat_every_hours) == (
        "feed_starter", "feed", at(10), 12,
    )  # fmt: skip
    [late] = suggest_care(starter, at(-20), NOW, ZoneInfo("UTC"))
    assert late.overdue
    assert late.due_at == at(0.25)

    berlin = ZoneInfo("Europe/Berlin")
    resting = msgspec.structs.replace(starter, kind="milk_kefir_grains", status="resting")
    fed = datetime(2026, 10, 20, 7, tzinfo=UTC)  # 09:00 in Berlin, summer time
    [refresh] = suggest_care(resting, fed, fed, berlin)
    assert refresh.due_at.astimezone(berlin).hour == 9  # 09:00 again, in winter time
    assert refresh.due_at == datetime(2026, 10, 27, 8, tzinfo=UTC)
    assert suggest_care(msgspec.structs.replace(starter, status="retired"), None, NOW, berlin) == []
    active_grains = msgspec.structs.replace(starter, kind="milk_kefir_grains")
    assert suggest_care(active_grains, None, NOW, berlin) == []  # fed by its batches
