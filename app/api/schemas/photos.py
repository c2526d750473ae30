"""Bodies of the photo routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from app.api.schemas.base import Body, Out
from app.domain.ids import ULID_PATTERN
from app.domain.photos import Photo, PhotoContentType

PhotoId = Annotated[str, Meta(pattern=ULID_PATTERN.pattern, description="from the upload")]


class RequestPhotoUpload(Body):
    content_type: PhotoContentType


class ConfirmPhoto(Body):
    photo_id: PhotoId


class PhotoUploadOut(Out):
    """POST `fields` and the file (as the form field `file`, last) to `url`."""

    photo_id: str
    url: str
    fields: dict[str, str]
    expires_at: datetime
    max_bytes: int


class PhotoOut(Out):
    id: str
    batch_id: str
    content_type: PhotoContentType
    size: int
    width: int | None
    height: int | None
    created_at: datetime
    url: str
    url_expires_at: datetime

    @classmethod
    def of(cls, photo: Photo, *, url: str, url_expires_at: datetime) -> PhotoOut:
        return cls(**msgspec.structs.asdict(photo), url=url, url_expires_at=url_expires_at)


class PhotoPage(Out):
    items: list[PhotoOut]
    next_cursor: str | None
