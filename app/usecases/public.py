"""What anyone may see without a token: a shared batch and its cover photo.

An unknown batch and a private one are the same NotFound: nothing tells them apart.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from app.domain.errors import NotFound
from app.services.photos import PhotoObjects, photo_key
from app.store.public import PublicStore, SharedBatch
from app.store.readings import ReadingStore
from app.usecases.readings import shared_charts

__all__ = ["CoverLink", "Public", "SharedBatch", "SharedPage"]

RECENT_EVENTS = 5


class CoverLink(msgspec.Struct, frozen=True):
    url: str
    url_seconds: int


class SharedPage(msgspec.Struct, frozen=True):
    shared: SharedBatch
    charts: list[str]


class Public:
    def __init__(
        self,
        store: PublicStore,
        objects: PhotoObjects | None,
        readings: ReadingStore | None = None,
    ) -> None:
        self.store = store
        self.objects = objects
        self.readings = readings

    def page(self, batch_id: str, now: datetime) -> SharedPage:
        """The shared batch with charts (inline SVG) of what its sensors measured."""
        found = self.shared_batch(batch_id)
        if self.readings is None:
            return SharedPage(found, [])
        ticks: list[tuple[datetime, str]] = [(e.occurred_at, e.type) for e in found.recent_events]
        return SharedPage(
            found, shared_charts(self.readings, found.owner_sub, found.batch, ticks, now)
        )

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
