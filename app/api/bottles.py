"""`POST /batches/{id}/split`: a first ferment into second-ferment bottles."""

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from app.api.openapi import BEARER, contract
from app.api.params import Caller, PathId
from app.api.schemas.batches import BatchOut
from app.api.schemas.bottles import BottlesOut, SplitBatch
from app.domain.clock import utc_now
from app.usecases.bottles import Bottles


class BottleController(Controller):
    path = "/batches"
    tags = ["batches"]  # noqa: RUF012 (Litestar reads these as class attributes)
    security = BEARER

    @post(
        "/{batch_id:str}/split",
        operation_id="splitBatch",
        sync_to_thread=False,
        **contract(400, 401, 404, 409, 413),
    )
    def split(
        self,
        batch_id: PathId,
        data: JSONBody[SplitBatch],
        principal: Caller,
        bottles: NamedDependency[Bottles],
    ) -> BottlesOut:
        """Child batches of the parent's kind and culture, each with its own label and
        public page linking back to the parent; the parent logs a "bottle" event. A finished
        or archived batch answers 409 `batch-closed`."""
        made = bottles.split(principal.sub, batch_id, data.name, data.count, utc_now())
        return BottlesOut(parent_id=batch_id, bottles=[BatchOut.of(b) for b in made])
