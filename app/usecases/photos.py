"""Photos of a batch: the app uploads straight to S3, then confirms.

1. `upload_form` hands out a presigned POST for one new photo id; S3 itself enforces
   the key, the Content-Type and the size. Nothing is stored yet.
2. The app POSTs the bytes to S3 with that form.
3. `confirm` checks the object again (size, declared type, magic bytes), moves it to
   its final key and stores the photo item; a failure on the way undoes what was done.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from app.domain.errors import (
    InvalidUpload,
    LimitReached,
    NotFound,
    PhotoAlreadyConfirmed,
    PhotoNotUploaded,
)
from app.domain.ids import new_ulid
from app.domain.photos import (
    MAX_PHOTO_BYTES,
    MAX_PHOTOS_PER_BATCH,
    MAX_PHOTOS_PER_USER,
    Photo,
    PhotoContentType,
    check_upload,
)
from app.services.photos import (
    PhotoObjects,
    UploadForm,
    batch_photos_prefix,
    photo_key,
    user_photos_prefix,
)
from app.store.photos import PhotoStore


class UploadOffer(msgspec.Struct, frozen=True, kw_only=True):
    photo_id: str
    form: UploadForm
    max_bytes: int


class PhotoLink(msgspec.Struct, frozen=True, kw_only=True):
    """A photo with a GET URL that works for a few minutes."""

    photo: Photo
    url: str
    url_expires_at: datetime


class PhotoLinks(msgspec.Struct, frozen=True, kw_only=True):
    items: list[PhotoLink]
    next_cursor: str | None


class Photos:
    def __init__(self, store: PhotoStore, objects: PhotoObjects | None) -> None:
        self.store = store
        self._objects = objects

    @property
    def objects(self) -> PhotoObjects:
        if self._objects is None:
            raise RuntimeError("PHOTOS_BUCKET is not set: photos and exports are unavailable")
        return self._objects

    def upload_form(
        self, sub: str, batch_id: str, content_type: PhotoContentType, now: datetime
    ) -> UploadOffer:
        objects = self.objects
        self.store.require_batch(sub, batch_id)
        self._check_room(objects, sub, batch_id)
        photo_id = new_ulid(now)
        form = objects.upload_form(sub, batch_id, photo_id, content_type, now=now)
        return UploadOffer(photo_id=photo_id, form=form, max_bytes=MAX_PHOTO_BYTES)

    def confirm(self, sub: str, batch_id: str, photo_id: str, now: datetime) -> PhotoLink:
        objects = self.objects
        uploaded = objects.inspect_pending(sub, batch_id, photo_id)
        if uploaded is None:
            if self.store.get_photo(sub, batch_id, photo_id) is not None:
                raise PhotoAlreadyConfirmed("This photo was already confirmed.")
            self.store.require_batch(sub, batch_id)
            raise PhotoNotUploaded(
                "No upload arrived for this photo id: upload with the form first "
                "(forms expire after 5 minutes)."
            )
        info, why = check_upload(
            declared=uploaded.content_type, size=uploaded.size, head=uploaded.head
        )
        if info is None:
            objects.discard_pending(sub, batch_id, photo_id)
            raise InvalidUpload(f"{why} The upload was removed.")
        try:
            self._check_room(objects, sub, batch_id)
        except LimitReached:
            objects.discard_pending(sub, batch_id, photo_id)
            raise
        photo = Photo(
            id=photo_id,
            batch_id=batch_id,
            content_type=info.content_type,
            size=uploaded.size,
            width=info.width,
            height=info.height,
            created_at=now,
        )
        objects.promote(sub, batch_id, photo_id)
        try:
            self.store.add_photo(sub, photo, photo_key(sub, batch_id, photo_id))
        except NotFound:
            # The batch went away meanwhile: its sweep cannot see this copy.
            objects.delete([photo_key(sub, batch_id, photo_id)])
            raise
        objects.discard_pending(sub, batch_id, photo_id)
        return _link(objects, sub, photo, now)

    def _check_room(self, objects: PhotoObjects, sub: str, batch_id: str) -> None:
        """The caps, counted from the confirmed objects (one LIST each), before a form is
        handed out and again before an upload is kept. Confirms racing at the cap may
        both pass: the cap bounds storage, it is not an invariant."""
        if objects.count(batch_photos_prefix(sub, batch_id), MAX_PHOTOS_PER_BATCH) >= (
            MAX_PHOTOS_PER_BATCH
        ):
            raise LimitReached(f"A batch can hold at most {MAX_PHOTOS_PER_BATCH} photos.")
        if objects.count(user_photos_prefix(sub), MAX_PHOTOS_PER_USER) >= MAX_PHOTOS_PER_USER:
            raise LimitReached(f"An account can hold at most {MAX_PHOTOS_PER_USER} photos.")

    def list_photos(
        self, sub: str, batch_id: str, *, limit: int, cursor: str | None, now: datetime
    ) -> PhotoLinks:
        """Newest first."""
        objects = self.objects
        page = self.store.list_photos(sub, batch_id, limit=limit, cursor=cursor)
        return PhotoLinks(
            items=[_link(objects, sub, p, now) for p in page.items], next_cursor=page.next_cursor
        )

    def delete(self, sub: str, batch_id: str, photo_id: str, now: datetime) -> None:
        """The object goes first: if the item delete fails, a retry finds it again."""
        objects = self.objects
        if self.store.get_photo(sub, batch_id, photo_id) is None:
            raise NotFound("No such photo.")
        objects.delete([photo_key(sub, batch_id, photo_id)])
        self.store.delete_photo(sub, batch_id, photo_id, now)


def _link(objects: PhotoObjects, sub: str, photo: Photo, now: datetime) -> PhotoLink:
    url, expires = objects.download_url(photo_key(sub, photo.batch_id, photo.id), now=now)
    return PhotoLink(photo=photo, url=url, url_expires_at=expires)
