"""The one clock: every "now" is an aware UTC datetime, read once at the edge (a route,
a Lambda invocation) and passed down, so a request sees one instant throughout."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


# The span of date-times the API accepts (the edge checks it): wide enough for any
# fermentation log, narrow enough that every derived time (ULIDs, suggestions days on)
# is representable.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
