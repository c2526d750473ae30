"""Conditional reads: a single resource's `ETag` comes from its `version` (which every
change bumps), so a client holding that version sends `If-None-Match` and gets 304
with no body."""

from __future__ import annotations

import hashlib
from typing import Annotated, TypeVar

from litestar import Response
from litestar.params import HeaderParameter
from litestar.status_codes import HTTP_304_NOT_MODIFIED

T = TypeVar("T")

IfNoneMatch = Annotated[
    str | None,
    HeaderParameter(
        name="if-none-match",
        max_length=1024,
        required=False,
        description="The `ETag` the client holds: 304 without a body while it is current.",
    ),
]


def version_tag(version: int, *parts: str) -> str:
    """A strong ETag: the version, plus a digest of what else the representation holds
    (a batch's detail carries events, which do not bump the batch's version)."""
    if not parts:
        return f'"v{version}"'
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]
    return f'"v{version}-{digest}"'


def conditional(body: T, tag: str, if_none_match: str | None) -> Response[T]:
    """The body with its ETag, or 304 when the client's tag is the current one."""
    headers = {"ETag": tag}
    if if_none_match is not None and _matches(if_none_match, tag):
        return Response(content=None, status_code=HTTP_304_NOT_MODIFIED, headers=headers)  # type: ignore[arg-type]
    return Response(content=body, headers=headers)


def _matches(header: str, tag: str) -> bool:
    """RFC 9110: `*`, or a comma-separated list compared weakly (`W/` ignored)."""
    candidates = [part.strip().removeprefix("W/") for part in header.split(",")]
    return "*" in candidates or tag in candidates
