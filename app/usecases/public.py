"""What anyone may see without a token: a shared batch and its cover photo.

An unknown batch and a private one are the same NotFound: nothing tells them apart.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from app.domain.errors import NotFound
from app.services.photos import PhotoObjects, photo_key
from app.store.public import PublicStore, SharedBatch

__all__ = ["CoverLink", "Public", "SharedBatch"]

RECENT_EVENTS = 5


class CoverLink(msgspec.Struct, frozen=True):
    url: str
    url_seconds: int


class Public:
    def __init__(self, store: PublicStore, objects: PhotoObjects | None) -> None:
        self.store = store
        self.objects = objects

    def shared_batch(self, batch_id: str) -> SharedBatch:
        found = self.store.shared_batch(batch_id, events=RECENT_EVENTS)
        if found is None:
            raise NotFound("No such shared batch.")
        return found

    def cover(self, batch_id: str, now: datetime) -> CoverLink:
        """A short-lived S3 URL for the cover photo of a shared batch."""
        found = self.store.shared_batch(batch_id, events=0)
        if found is None or found.cover is None or self.objects is None:
            raise NotFound("No such shared batch.")
        cover = found.cover
        url, _ = self.objects.download_url(
            photo_key(found.owner_sub, cover.batch_id, cover.id), now=now
        )
        return CoverLink(url, self.objects.url_seconds)
