"""What every controller parses the same way: path ids, the cursor, the caller."""

from __future__ import annotations

from typing import Annotated

from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from app.domain.ids import known_id
from app.services.auth import Principal

__all__ = ["Caller", "Cursor", "PathId", "known_id"]

PathId = FromPath[str]
Caller = NamedDependency[Principal]
Cursor = Annotated[str | None, QueryParameter(max_length=512, description="from `nextCursor`")]
