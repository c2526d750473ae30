"""`POST /batches/{id}/split`: a first ferment into second-ferment bottles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from litestar import Controller, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from msgspec import Meta

from app.api.auth import provide_principal
from app.api.schemas import BatchOut, Body, Name, Out
from app.domain.bottles import MAX_BOTTLES
from app.services.auth import Principal
from app.usecases.bottles import Bottles

Caller = NamedDependency[Principal]
UseCase = NamedDependency[Bottles]


class SplitBatch(Body):
    """Bottles are named "<name> 1/n", "<name> 2/n", …"""

    name: Name
    count: Annotated[int, Meta(ge=1, le=MAX_BOTTLES, description="how many bottles")]


class BottlesOut(Out):
    parent_id: str
    bottles: list[BatchOut]


class BottleController(Controller):
    path = "/batches"
    tags = ["batches"]  # noqa: RUF012 (Litestar reads these as class attributes)
    dependencies = {"principal": Provide(provide_principal, sync_to_thread=False)}  # noqa: RUF012

    @post("/{batch_id:str}/split", operation_id="splitBatch", sync_to_thread=False)
    def split(
        self,
        batch_id: FromPath[str],
        data: JSONBody[SplitBatch],
        principal: Caller,
        bottles: UseCase,
    ) -> BottlesOut:
        """Child batches of the parent's kind and culture, each with its own label and
        public page linking back to the parent; the parent logs a "bottle" event."""
        made = bottles.split(principal.sub, batch_id, data.name, data.count, datetime.now(UTC))
        return BottlesOut(parent_id=batch_id, bottles=[BatchOut.of(b) for b in made])
