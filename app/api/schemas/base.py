"""What every request and response body shares: camelCase on the wire, validated by
msgspec at the edge, and the field types more than one feature uses.

Text: every free-text field is a `Line` (no control characters at all) or a `Text`
(tab and line breaks allowed, for notes). A control character would make the label SVG
malformed XML and hides text in logs and CSV; it is refused at the edge, once, here.

Date-times: every one a body carries lies in [EARLIEST, LATEST) (2000-01-01 to
2100-01-01 UTC), checked by `Body.__post_init__` for all its fields, so nothing later
(ids carry the time, suggestions add days) meets a time it cannot represent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from app.domain.clock import EARLIEST, LATEST

# `(?![\s\S])` is "end of string": `$` would let a trailing newline through.
LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\ufffe\uffff]*(?![\s\S])"
# A line with at least one visible character: names and titles are never blank.
NAME_PATTERN = r"^(?=[\s\S]*\S)[^\x00-\x1f\x7f-\x9f\ufffe\uffff]*(?![\s\S])"
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]*(?![\s\S])"
CONTROL_CHARACTERS = "must not contain control characters"
NAME_CONTROL_CHARACTERS = "must not be blank or contain control characters"
TEXT_CONTROL_CHARACTERS = "must not contain control characters other than tab and line breaks"

Line = Annotated[str, Meta(pattern=LINE_PATTERN, description="one line, no control characters")]
NonBlankLine = Annotated[
    str, Meta(pattern=NAME_PATTERN, description="one line, not blank, no control characters")
]
Text = Annotated[
    str, Meta(pattern=TEXT_PATTERN, description="no control characters but tab and line breaks")
]

# The version the client last read; JSON numbers stay exact up to 2^53.
Version = Annotated[int, Meta(ge=1, le=2**53 - 1)]
AwareDatetime = Annotated[
    datetime,
    Meta(
        tz=True,
        description=f"RFC 3339 with a UTC offset, from {EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d}",
    ),
]


class Body(msgspec.Struct, kw_only=True, rename="camel", forbid_unknown_fields=True):
    """Unknown fields are refused so a typo is reported instead of silently ignored."""

    def __post_init__(self) -> None:
        for field in msgspec.structs.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, datetime) and not EARLIEST <= value < LATEST:
                raise ValueError(
                    f"`{field.encode_name}` must be from {EARLIEST:%Y-%m-%d} to before "
                    f"{LATEST:%Y-%m-%d} (UTC) - at `$.{field.encode_name}`"
                )


class Out(msgspec.Struct, kw_only=True, rename="camel"):
    pass
