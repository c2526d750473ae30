"""Routes for offline sync: pull what changed, push what a device did offline."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from app.api.params import Caller, Cursor
from app.api.schemas.sync import SyncPage
from app.domain.clock import utc_now
from app.usecases.sync import Sync

SyncPageSize = Annotated[int, QueryParameter(ge=1, le=1000, description="records per page")]


class SyncController(Controller):
    path = "/sync"
    tags = ["sync"]  # noqa: RUF012 (Litestar reads these as class attributes)

    @get(operation_id="pullChanges", sync_to_thread=False)
    def pull(
        self,
        principal: Caller,
        sync: NamedDependency[Sync],
        cursor: Cursor = None,
        limit: SyncPageSize = 500,
    ) -> SyncPage:
        """Every record of the caller changed after `cursor`; no cursor: all of them."""
        page = sync.pull(principal.sub, cursor=cursor, limit=limit, now=utc_now())
        return SyncPage.of(page)
