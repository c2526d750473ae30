"""Photos of a batch: the app uploads straight to S3, then confirms here.

1. `POST /batches/{id}/photos/upload` hands out a presigned POST for one new photo id;
   S3 itself enforces the key, the Content-Type and the size.
2. The app POSTs the bytes to S3 with that form.
3. `POST /batches/{id}/photos` confirms: the object is checked again (size, declared
   type, magic bytes), moved to its final key, and the photo item is stored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from app.api.auth import provide_principal
from app.api.schemas import ConfirmPhoto, PhotoOut, PhotoPage, PhotoUploadOut, RequestPhotoUpload
from app.domain.errors import InvalidUpload, NotFound, PhotoAlreadyConfirmed, PhotoNotUploaded
from app.domain.ids import is_ulid, new_ulid
from app.domain.photos import MAX_PHOTO_BYTES, Photo, check_upload
from app.services.auth import Principal
from app.services.photos import PhotoObjects, photo_key
from app.store.photos import PhotoStore

PageSize = Annotated[int, QueryParameter(ge=1, le=100, description="photos per page")]
Cursor = Annotated[str | None, QueryParameter(max_length=512, description="from `nextCursor`")]
PathId = FromPath[str]
Caller = NamedDependency[Principal]
Photos = NamedDependency[PhotoStore]
Objects = NamedDependency[PhotoObjects]


def provide_photo_store(request: Request[Any, Any, Any]) -> PhotoStore:
    store: PhotoStore = request.app.state.photo_store
    return store


def provide_photo_objects(request: Request[Any, Any, Any]) -> PhotoObjects:
    objects: PhotoObjects | None = request.app.state.photo_objects
    if objects is None:
        raise RuntimeError("PHOTOS_BUCKET is not set: photos and exports are unavailable")
    return objects


def _now() -> datetime:
    return datetime.now(UTC)


def _batch(value: str) -> str:
    if not is_ulid(value):
        raise NotFound("No such batch.")
    return value


def photo_out(sub: str, photo: Photo, objects: PhotoObjects, now: datetime) -> PhotoOut:
    url, expires = objects.download_url(photo_key(sub, photo.batch_id, photo.id), now=now)
    return PhotoOut.of(photo, url=url, url_expires_at=expires)


class PhotoController(Controller):
    path = "/batches/{batch_id:str}/photos"
    tags = ["photos"]  # noqa: RUF012 (Litestar reads these as class attributes)
    dependencies = {  # noqa: RUF012
        "principal": Provide(provide_principal, sync_to_thread=False),
        "photos": Provide(provide_photo_store, sync_to_thread=False),
        "objects": Provide(provide_photo_objects, sync_to_thread=False),
    }

    @post(
        "/upload",
        operation_id="requestPhotoUpload",
        status_code=HTTP_200_OK,
        sync_to_thread=False,
    )
    def request_upload(
        self,
        batch_id: PathId,
        data: JSONBody[RequestPhotoUpload],
        principal: Caller,
        photos: Photos,
        objects: Objects,
    ) -> PhotoUploadOut:
        """A form for one new photo id; nothing is stored until the upload is confirmed."""
        batch_id = _batch(batch_id)
        photos.require_batch(principal.sub, batch_id)
        now = _now()
        photo_id = new_ulid(now)
        form = objects.upload_form(principal.sub, batch_id, photo_id, data.content_type, now=now)
        return PhotoUploadOut(
            photo_id=photo_id,
            url=form.url,
            fields=form.fields,
            expires_at=form.expires_at,
            max_bytes=MAX_PHOTO_BYTES,
        )

    @post(operation_id="confirmPhoto", sync_to_thread=False)
    def confirm(
        self,
        batch_id: PathId,
        data: JSONBody[ConfirmPhoto],
        principal: Caller,
        photos: Photos,
        objects: Objects,
    ) -> PhotoOut:
        sub, batch_id, photo_id = principal.sub, _batch(batch_id), data.photo_id
        uploaded = objects.inspect_pending(sub, batch_id, photo_id)
        if uploaded is None:
            if photos.get_photo(sub, batch_id, photo_id) is not None:
                raise PhotoAlreadyConfirmed("This photo was already confirmed.")
            photos.require_batch(sub, batch_id)
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
        now = _now()
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
            photos.add_photo(sub, photo, photo_key(sub, batch_id, photo_id))
        except NotFound:
            # The batch went away meanwhile: its sweep cannot see this copy.
            objects.delete([photo_key(sub, batch_id, photo_id)])
            raise
        objects.discard_pending(sub, batch_id, photo_id)
        return photo_out(sub, photo, objects, now)

    @get(operation_id="listPhotos", sync_to_thread=False)
    def list_photos(
        self,
        batch_id: PathId,
        principal: Caller,
        photos: Photos,
        objects: Objects,
        limit: PageSize = 50,
        cursor: Cursor = None,
    ) -> PhotoPage:
        """Newest first, each with a GET URL that works for a few minutes."""
        page = photos.list_photos(principal.sub, _batch(batch_id), limit=limit, cursor=cursor)
        now = _now()
        return PhotoPage(
            items=[photo_out(principal.sub, p, objects, now) for p in page.items],
            next_cursor=page.next_cursor,
        )

    @delete(
        "/{photo_id:str}",
        operation_id="deletePhoto",
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=False,
    )
    def delete_photo(
        self,
        batch_id: PathId,
        photo_id: PathId,
        principal: Caller,
        photos: Photos,
        objects: Objects,
    ) -> None:
        """The object goes first: if the item delete fails, a retry finds it again."""
        batch_id = _batch(batch_id)
        if not is_ulid(photo_id):
            raise NotFound("No such photo.")
        if photos.get_photo(principal.sub, batch_id, photo_id) is None:
            raise NotFound("No such photo.")
        objects.delete([photo_key(principal.sub, batch_id, photo_id)])
        photos.delete_photo(principal.sub, batch_id, photo_id)
