"""Bodies of `POST /batches/{id}/split` (bottles from a first ferment)."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from app.api.schemas.base import Body, Out
from app.api.schemas.batches import BatchOut, Name
from app.domain.bottles import MAX_BOTTLES


class SplitBatch(Body):
    """Bottles are named "<name> 1/n", "<name> 2/n", …"""

    name: Name
    count: Annotated[int, Meta(ge=1, le=MAX_BOTTLES, description="how many bottles")]


class BottlesOut(Out):
    parent_id: str
    bottles: list[BatchOut]
