"""What every controller parses the same way: path ids, the cursor, the caller."""

from __future__ import annotations

from typing import Annotated

from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from app.domain.errors import NotFound
from app.domain.ids import is_ulid
from app.services.auth import Principal

PathId = FromPath[str]
Caller = NamedDependency[Principal]
Cursor = Annotated[str | None, QueryParameter(max_length=512, description="from `nextCursor`")]


def known_id(value: str, what: str) -> str:
    """A malformed id can name nothing: answer as for any other unknown one (404)."""
    if not is_ulid(value):
        raise NotFound(f"No such {what}.")
    return value
