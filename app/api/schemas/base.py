"""What every request and response body shares: camelCase on the wire, validated by
msgspec at the edge, and the field types more than one feature uses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

Version = Annotated[int, Meta(ge=1)]
AwareDatetime = Annotated[datetime, Meta(tz=True, description="RFC 3339 with a UTC offset")]


class Body(msgspec.Struct, kw_only=True, rename="camel", forbid_unknown_fields=True):
    """Unknown fields are refused so a typo is reported instead of silently ignored."""


class Out(msgspec.Struct, kw_only=True, rename="camel"):
    pass
