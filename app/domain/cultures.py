"""Cultures (grains, SCOBYs, starters), their event log, gifts and family tree: the shapes
and the rules, with no I/O.

A culture outlives its batches: it is fed, rested, split and given away for years, so it
is a record of its own, and every batch may name the culture that made it. Its lineage is
a tree across accounts; what one account sees of another's cultures is `LineageView`,
built here from the shared fields only.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal, get_args

import msgspec

from app.domain.batches import FUTURE_TOLERANCE, BatchKind, BatchStatus
from app.domain.errors import InvalidInput
from app.domain.ids import new_ulid
from app.domain.reminders import (
    MIN_LEAD,
    OVERDUE_LEAD,
    add_local_days,
    ceil_time,
    round_time,
)

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

CultureKind = Literal[
    "milk_kefir_grains", "water_kefir_grains", "scoby", "sourdough_starter", "other"
]
CultureOrigin = Literal["bought", "gift", "split", "wild", "unknown"]
CultureStatus = Literal["active", "resting", "retired", "lost"]
CultureEventType = Literal["feed", "rest", "revive", "split", "weigh", "note"]

CULTURE_KINDS: tuple[CultureKind, ...] = get_args(CultureKind)
KIND_NAMES: dict[str, str] = {
    "milk_kefir_grains": "Milk kefir grains",
    "water_kefir_grains": "Water kefir grains",
    "scoby": "Kombucha SCOBY",
    "sourdough_starter": "Sourdough starter",
    "other": "Culture",
}
CULTURE_STATUSES: tuple[CultureStatus, ...] = get_args(CultureStatus)
CULTURE_EVENT_TYPES: tuple[CultureEventType, ...] = get_args(CultureEventType)

# Like a finished batch, a retired or lost culture's log is frozen; it can be revived
# (set back to active or resting) because people tap the wrong button.
OPEN_CULTURE_STATUSES: tuple[CultureStatus, ...] = ("active", "resting")

GIFT_DAYS = 7
# Crockford base32 without the look-alikes: 16 characters = 80 random bits, typed in
# groups of four from a label when the QR code cannot be scanned.
_GIFT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GIFT_CODE_CHARS = 16

PRIVATE_LABEL = "a private culture"
DELETED_LABEL = "a deleted culture"


class Culture(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    name: str
    kind: CultureKind
    status: CultureStatus
    acquired_at: datetime
    origin: CultureOrigin
    notes: str | None
    parent_id: str | None
    # 1 for a culture with no known parent; a split or a gift is its parent's + 1.
    generation: int
    # Nearest first: the parent, its parent, … (fixed at birth: a parent never changes).
    ancestors: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    version: int
    # Sharing: the public page /c/{id}, and name/kind/age in other accounts' lineage.
    public: bool = False


class CultureEvent(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    culture_id: str
    type: CultureEventType
    occurred_at: datetime
    note: str | None
    grams: float | None
    created_at: datetime


def new_culture(
    *,
    name: str,
    kind: CultureKind,
    acquired_at: datetime | None,
    origin: CultureOrigin,
    notes: str | None,
    public: bool,
    now: datetime,
) -> Culture:
    acquired = acquired_at or now
    _not_in_future("acquiredAt", acquired, now)
    return Culture(
        id=new_ulid(now),
        name=_name(name),
        kind=kind,
        status="active",
        acquired_at=acquired,
        origin=origin,
        notes=notes,
        parent_id=None,
        generation=1,
        ancestors=(),
        created_at=now,
        updated_at=now,
        version=1,
        public=public,
    )


def child_of(
    parent_id: str,
    parent_ancestors: tuple[str, ...],
    *,
    name: str,
    kind: CultureKind,
    origin: CultureOrigin,
    notes: str | None,
    now: datetime,
) -> Culture:
    """A split (same account) or a claimed gift (another account): one generation on."""
    ancestors = (parent_id, *parent_ancestors)
    return Culture(
        id=new_ulid(now),
        name=_name(name),
        kind=kind,
        status="active",
        acquired_at=now,
        origin=origin,
        notes=notes,
        parent_id=parent_id,
        generation=len(ancestors) + 1,
        ancestors=ancestors,
        created_at=now,
        updated_at=now,
        version=1,
    )


def new_culture_event(
    *,
    culture_id: str,
    type: CultureEventType,
    occurred_at: datetime | None,
    note: str | None,
    grams: float | None,
    now: datetime,
) -> CultureEvent:
    occurred = occurred_at or now
    _not_in_future("occurredAt", occurred, now)
    if type == "weigh" and grams is None:
        raise InvalidInput("grams", "A weigh event needs grams.")
    if type != "weigh" and grams is not None:
        raise InvalidInput("grams", "Only a weigh event carries grams.")
    return CultureEvent(
        id=new_ulid(occurred),
        culture_id=culture_id,
        type=type,
        occurred_at=occurred,
        note=note,
        grams=grams,
        created_at=now,
    )


def accepts_events(status: CultureStatus) -> bool:
    return status in OPEN_CULTURE_STATUSES


def check_acquired_at(acquired_at: datetime, now: datetime) -> None:
    _not_in_future("acquiredAt", acquired_at, now)


def check_name(name: str) -> str:
    return _name(name)


# --- gifts -----------------------------------------------------------------------------


class Gift(msgspec.Struct, kw_only=True, frozen=True):
    """A one-time code for a piece of a culture; only the code's hash is stored."""

    code_hash: str
    culture_id: str
    giver_sub: str
    # What the recipient's new culture starts from.
    name: str
    kind: CultureKind
    parent_ancestors: tuple[str, ...]
    created_at: datetime
    expires_at: datetime
    claimed_at: datetime | None = None
    claimed_culture_id: str | None = None


def new_gift_code() -> str:
    return "".join(secrets.choice(_GIFT_ALPHABET) for _ in range(GIFT_CODE_CHARS))


def normalize_gift_code(code: str) -> str | None:
    """What a person typed (any case, dashes, spaces, O for 0, I/L for 1) as the code,
    or None when it cannot be one."""
    cleaned = code.upper().replace("-", "").replace(" ", "")
    cleaned = cleaned.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(cleaned) != GIFT_CODE_CHARS or any(c not in _GIFT_ALPHABET for c in cleaned):
        return None
    return cleaned


def gift_code_hash(code: str) -> str:
    """The stored key: a leaked table does not hand out claimable codes."""
    return hashlib.sha256(code.encode()).hexdigest()


def display_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def gifted_name(kind: CultureKind) -> str:
    """A claimed culture's name unless the recipient gives one: the giver's name for it
    is theirs, and shown to the recipient only through lineage, if they share it."""
    return f"{KIND_NAMES[kind]} (gift)"


def new_gift(culture: Culture, giver_sub: str, code: str, now: datetime) -> Gift:
    return Gift(
        code_hash=gift_code_hash(code),
        culture_id=culture.id,
        giver_sub=giver_sub,
        name=culture.name,
        kind=culture.kind,
        parent_ancestors=culture.ancestors,
        created_at=now,
        expires_at=now + timedelta(days=GIFT_DAYS),
    )


GiftState = Literal["open", "claimed", "expired"]


def gift_state(gift: Gift, now: datetime) -> GiftState:
    if gift.claimed_at is not None:
        return "claimed"
    return "expired" if now >= gift.expires_at else "open"


# --- stats -----------------------------------------------------------------------------


class BatchStart(msgspec.Struct, frozen=True):
    """What the stats need of a batch the culture made."""

    kind: BatchKind
    started_at: datetime


class MadeBatch(msgspec.Struct, frozen=True, kw_only=True):
    """What a culture keeps of each batch it made (on its own item, written with the
    batch): enough for its detail page and stats without reading the batches."""

    id: str
    name: str
    kind: BatchKind
    status: BatchStatus
    started_at: datetime


class Weighing(msgspec.Struct, frozen=True):
    at: datetime
    grams: float


class CultureStats(msgspec.Struct, kw_only=True, frozen=True):
    age_days: int
    batches_made: int
    # Hours, per batch kind; see `median_batch_hours`.
    median_batch_hours: dict[str, float]
    last_fed_at: datetime | None
    weights: list[Weighing]


def median_batch_hours(batches: list[BatchStart]) -> dict[str, float]:
    """A culture makes one batch at a time: a batch lasts until the culture's next batch
    starts (the grains are strained into fresh milk, the SCOBY moves to new tea). The
    last batch is still running and not counted."""
    import statistics  # the culture detail's figure only: not every route's cold start

    ordered = sorted(batches, key=lambda b: b.started_at)
    lengths: dict[str, list[float]] = {}
    for batch, following in itertools.pairwise(ordered):
        hours = (following.started_at - batch.started_at).total_seconds() / 3600
        lengths.setdefault(batch.kind, []).append(hours)
    return {kind: round(statistics.median(values), 2) for kind, values in lengths.items()}


def culture_stats(
    culture: Culture,
    batches: list[BatchStart],
    feeds: list[datetime],
    weights: list[Weighing],
    now: datetime,
) -> CultureStats:
    return CultureStats(
        age_days=age_days(culture.acquired_at, now),
        batches_made=len(batches),
        median_batch_hours=median_batch_hours(batches),
        last_fed_at=max(feeds, default=None),
        weights=sorted(weights, key=lambda w: w.at),
    )


def age_days(acquired_at: datetime, now: datetime) -> int:
    return max(0, (now - acquired_at).days)


# --- care reminders --------------------------------------------------------------------


class CareStep(msgspec.Struct, frozen=True, kw_only=True):
    """Feed a culture of `kind` in `status` every `hours` (days when a multiple of 24
    land on the same wall-clock time, like the batch steps)."""

    key: str
    text: str
    hours: int
    basis: str


# Active grains and SCOBYs are fed by the batches they make; only a starter is fed on
# its own while active. Resting cultures still need a refresh now and then.
CARE: dict[tuple[str, str], CareStep] = {
    ("sourdough_starter", "active"): CareStep(
        key="feed_starter", text="Feed the starter", hours=12,
        basis="a starter at room temperature is fed every 12 h",
    ),
    ("sourdough_starter", "resting"): CareStep(
        key="feed_fridge_starter", text="Feed the starter from the fridge", hours=7 * 24,
        basis="a starter resting in the fridge is fed weekly",
    ),
    ("milk_kefir_grains", "resting"): CareStep(
        key="refresh_grains", text="Refresh the resting grains in fresh milk", hours=7 * 24,
        basis="milk kefir grains resting in the fridge get fresh milk weekly",
    ),
    ("water_kefir_grains", "resting"): CareStep(
        key="refresh_grains", text="Refresh the resting grains in fresh sugar water",
        hours=7 * 24, basis="water kefir grains resting in the fridge get fresh sugar water weekly",
    ),
    ("scoby", "resting"): CareStep(
        key="top_up_hotel", text="Top up the SCOBY hotel with sweet tea", hours=28 * 24,
        basis="a SCOBY hotel is topped up every four weeks",
    ),
}  # fmt: skip


class CareSuggestion(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    action: CultureEventType
    text: str
    due_at: datetime
    repeat_every_hours: int
    basis: str
    overdue: bool


def suggest_care(
    culture: Culture, last_fed_at: datetime | None, now: datetime, zone: ZoneInfo
) -> list[CareSuggestion]:
    """The next feed, counted from the last one (else from when it was acquired or last
    changed, e.g. put to rest); nothing for a retired or lost culture."""
    step = CARE.get((culture.kind, culture.status))
    if step is None:
        return []
    anchor = last_fed_at or max(culture.acquired_at, culture.updated_at)
    if step.hours % 24 == 0:
        due = add_local_days(anchor, step.hours // 24, zone)
    else:
        due = anchor + timedelta(hours=step.hours)
    due = round_time(due)
    overdue = due < now + MIN_LEAD
    if overdue:
        due = ceil_time(now + OVERDUE_LEAD)
    return [
        CareSuggestion(
            key=step.key,
            action="feed",
            text=step.text,
            due_at=due,
            repeat_every_hours=step.hours,
            basis=step.basis,
            overdue=overdue,
        )
    ]


# --- lineage ---------------------------------------------------------------------------


class LineageNode(msgspec.Struct, kw_only=True, frozen=True):
    """A culture's place in the family tree, kept outside its owner's partition so the
    tree crosses accounts. `owner_sub` never leaves the store and the use case."""

    id: str
    owner_sub: str | None
    parent_id: str | None
    ancestors: tuple[str, ...]
    generation: int
    children: tuple[str, ...]
    public: bool
    name: str | None
    kind: CultureKind | None
    acquired_at: datetime | None
    deleted: bool = False


NodeVisibility = Literal["mine", "shared", "private", "deleted"]


class LineageView(msgspec.Struct, kw_only=True, frozen=True):
    """One node as a given viewer may see it: another account's culture shows only the
    fields its owner shares, and only while sharing is on."""

    id: str
    parent_id: str | None
    generation: int
    visibility: NodeVisibility
    label: str
    name: str | None
    kind: CultureKind | None
    age_days: int | None


def view_of(node: LineageNode, viewer_sub: str | None, now: datetime) -> LineageView:
    if node.deleted or node.owner_sub is None:
        visibility: NodeVisibility = "deleted"
    elif viewer_sub is not None and node.owner_sub == viewer_sub:
        visibility = "mine"
    elif node.public:
        visibility = "shared"
    else:
        visibility = "private"
    open_ = visibility in ("mine", "shared")
    label = {"deleted": DELETED_LABEL, "private": PRIVATE_LABEL}.get(visibility, node.name or "")
    return LineageView(
        id=node.id,
        parent_id=node.parent_id,
        generation=node.generation,
        visibility=visibility,
        label=label,
        name=node.name if open_ else None,
        kind=node.kind if open_ else None,
        age_days=age_days(node.acquired_at, now) if open_ and node.acquired_at else None,
    )


def missing_node(culture_id: str, parent_id: str | None, generation: int) -> LineageNode:
    """A node the tree points at that is no longer stored: its owner deleted it."""
    return LineageNode(
        id=culture_id,
        owner_sub=None,
        parent_id=parent_id,
        ancestors=(),
        generation=generation,
        children=(),
        public=False,
        name=None,
        kind=None,
        acquired_at=None,
        deleted=True,
    )


def _name(name: str) -> str:
    stripped = name.strip()
    if not stripped:
        raise InvalidInput("name", "name cannot be blank.")
    return stripped


def _not_in_future(field: str, value: datetime, now: datetime) -> None:
    if value > now + FUTURE_TOLERANCE:
        raise InvalidInput(field, f"{field} cannot be in the future.")
