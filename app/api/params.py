"""What every controller parses the same way: path ids, the cursor, the caller."""

from __future__ import annotations

from typing import Annotated

from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from app.domain.ids import ULID_PATTERN, known_id
from app.services.auth import Principal

__all__ = ["Caller", "Cursor", "GiftCodePath", "PathId", "known_id"]

# The pattern of a path id is documented rather than validated: a value of another
# shape names nothing, and answers 404 like any unknown id (`known_id`).
PathId = Annotated[
    str,
    PathParameter(
        description="A ULID as the API returned it.",
        schema_extra={"pattern": ULID_PATTERN.pattern},
    ),
]
# A gift code as printed (any case, dashes and spaces allowed); like an id, a value that
# is not a code names nothing and answers 404.
GiftCodePath = Annotated[
    str,
    PathParameter(
        description="The gift's code, as `createGift` returned it.",
        schema_extra={"minLength": 1, "maxLength": 40},
    ),
]
Caller = NamedDependency[Principal]
# A page's `nextCursor`, handed back as it came: base64url, at most 512 characters.
Cursor = Annotated[
    str | None,
    QueryParameter(max_length=512, pattern=r"^[A-Za-z0-9_-]+$", description="from `nextCursor`"),
]
