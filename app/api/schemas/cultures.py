"""Request and response bodies of the culture routes, validated by msgspec at the edge."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from app.api.schemas.base import AwareDatetime, Body, Out, Version
from app.api.schemas.batches import EventNote, Name, Notes
from app.domain.batches import BatchKind, BatchStatus
from app.domain.cultures import (
    CareSuggestion,
    Culture,
    CultureEvent,
    CultureEventType,
    CultureKind,
    CultureOrigin,
    CultureStats,
    CultureStatus,
    LineageView,
    MadeBatch,
    NodeVisibility,
)

# Litestar drops a constraint whose value is 0 from the document; `extra` restores it.
Grams = Annotated[
    float,
    Meta(
        gt=0, le=100_000, description="grams", extra_json_schema={"extra": {"exclusiveMinimum": 0}}
    ),
]
GiftCode = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=40,
        description="the code from the gift label; case, dashes and spaces do not matter",
        examples=["7K2M-9QXR-D4TW-H8NB"],
    ),
]


class CreateCulture(Body):
    name: Name
    kind: CultureKind
    acquired_at: AwareDatetime | None = None
    origin: CultureOrigin = "unknown"
    notes: Notes | None = None
    public: bool = False


class UpdateCulture(Body):
    """Omitted fields stay as they are; `notes: null` clears the notes."""

    version: Version
    name: Name | UnsetType = UNSET
    kind: CultureKind | UnsetType = UNSET
    status: CultureStatus | UnsetType = UNSET
    acquired_at: AwareDatetime | UnsetType = UNSET
    origin: CultureOrigin | UnsetType = UNSET
    notes: Notes | UnsetType | None = UNSET
    public: bool | UnsetType = UNSET


class CreateCultureEvent(Body):
    type: CultureEventType
    occurred_at: AwareDatetime | None = None
    note: EventNote | None = None
    grams: Grams | None = None


class SplitCulture(Body):
    """The child's name defaults to the parent's with " (split)"."""

    name: Name | None = None
    notes: Notes | None = None


class ClaimGift(Body):
    """`name` defaults to the kind's name with " (gift)"."""

    code: GiftCode
    name: Name | None = None


class CultureOut(Out):
    id: str
    name: str
    kind: CultureKind
    status: CultureStatus
    acquired_at: datetime
    origin: CultureOrigin
    notes: str | None
    parent_id: str | None
    generation: int
    public: bool
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, culture: Culture) -> CultureOut:
        fields = msgspec.structs.asdict(culture)
        del fields["ancestors"]
        return cls(**fields)


class CulturePage(Out):
    items: list[CultureOut]
    next_cursor: str | None


class WeighingOut(Out):
    at: datetime
    grams: float


class CultureStatsOut(Out):
    age_days: int
    batches_made: int
    median_batch_hours: dict[str, float]
    last_fed_at: datetime | None
    weights: list[WeighingOut]

    @classmethod
    def of(cls, stats: CultureStats) -> CultureStatsOut:
        return cls(
            age_days=stats.age_days,
            batches_made=stats.batches_made,
            median_batch_hours=stats.median_batch_hours,
            last_fed_at=stats.last_fed_at,
            weights=[WeighingOut(at=w.at, grams=w.grams) for w in stats.weights],
        )


class CultureBatchOut(Out):
    """A batch as its culture's detail lists it; `GET /batches/{id}` has the rest."""

    id: str
    name: str
    kind: BatchKind
    status: BatchStatus
    started_at: datetime

    @classmethod
    def of(cls, made: MadeBatch) -> CultureBatchOut:
        return cls(**msgspec.structs.asdict(made))


class CultureDetailOut(CultureOut):
    stats: CultureStatsOut
    batches: list[CultureBatchOut]
    next_batches_cursor: str | None


class CultureEventOut(Out):
    id: str
    culture_id: str
    type: CultureEventType
    occurred_at: datetime
    note: str | None
    grams: float | None
    created_at: datetime

    @classmethod
    def of(cls, event: CultureEvent) -> CultureEventOut:
        return cls(**msgspec.structs.asdict(event))


class CultureEventPage(Out):
    items: list[CultureEventOut]
    next_cursor: str | None


class GiftOut(Out):
    """`code` is shown here once: only its hash is stored."""

    code: str
    culture_id: str
    expires_at: datetime
    claim_url: str
    label_url: str


class LineageNodeOut(Out):
    """Another account's culture shows only what its owner shares: name, kind and age
    while sharing is on; otherwise its label reads "a private culture"."""

    id: str
    parent_id: str | None
    generation: int
    visibility: NodeVisibility
    label: str
    name: str | None
    kind: CultureKind | None
    age_days: int | None

    @classmethod
    def of(cls, view: LineageView) -> LineageNodeOut:
        return cls(**msgspec.structs.asdict(view))


class LineageOut(Out):
    culture: LineageNodeOut
    ancestors: list[LineageNodeOut]
    descendants: list[LineageNodeOut]
    truncated: bool


class PublicCultureBatchOut(Out):
    id: str
    name: str
    started_at: datetime
    page_url: str


class PublicCultureOut(Out):
    """What anyone with the link sees: the shared fields and the tree, never the owner."""

    id: str
    name: str
    kind: CultureKind
    age_days: int
    generation: int
    lineage: LineageOut
    shared_batches: list[PublicCultureBatchOut]
    page_url: str
    app_url: str


class CareSuggestionOut(Out):
    key: str
    action: CultureEventType
    text: str
    due_at: datetime
    repeat_every_hours: int
    basis: str
    overdue: bool

    @classmethod
    def of(cls, suggestion: CareSuggestion) -> CareSuggestionOut:
        return cls(**msgspec.structs.asdict(suggestion))


class CareSuggestionsOut(Out):
    time_zone: str
    items: list[CareSuggestionOut]
