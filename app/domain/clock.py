"""The one clock: every "now" is an aware UTC datetime, read once at the edge (a route,
a Lambda invocation) and passed down, so a request sees one instant throughout."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
