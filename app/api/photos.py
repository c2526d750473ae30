"""Routes for a batch's photos: an upload form, confirm, list, delete.

The app uploads the bytes straight to S3 with the form; `app.usecases.photos` tells the
whole sequence.
"""

from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from app.api.openapi import BEARER, contract
from app.api.params import Caller, Cursor, PathId, known_id
from app.api.schemas.photos import (
    ConfirmPhoto,
    PhotoOut,
    PhotoPage,
    PhotoUploadOut,
    RequestPhotoUpload,
)
from app.domain.clock import utc_now
from app.usecases.photos import PhotoLink, Photos

PageSize = Annotated[int, QueryParameter(ge=1, le=100, description="photos per page")]


def _out(link: PhotoLink) -> PhotoOut:
    return PhotoOut.of(link.photo, url=link.url, url_expires_at=link.url_expires_at)


class PhotoController(Controller):
    path = "/batches/{batch_id:str}/photos"
    tags = ["photos"]  # noqa: RUF012 (Litestar reads these as class attributes)
    security = BEARER

    @post(
        "/upload",
        operation_id="requestPhotoUpload",
        # 409 limit-reached: photos per batch and per account are capped.
        status_code=HTTP_200_OK,
        sync_to_thread=False,
        **contract(400, 401, 404, 409, 413),
    )
    def request_upload(
        self,
        batch_id: PathId,
        data: JSONBody[RequestPhotoUpload],
        principal: Caller,
        photos: NamedDependency[Photos],
    ) -> PhotoUploadOut:
        """A form for one new photo id; nothing is stored until the upload is confirmed."""
        offer = photos.upload_form(
            principal.sub, known_id(batch_id, "batch"), data.content_type, utc_now()
        )
        return PhotoUploadOut(
            photo_id=offer.photo_id,
            url=offer.form.url,
            fields=offer.form.fields,
            expires_at=offer.form.expires_at,
            max_bytes=offer.max_bytes,
        )

    @post(
        operation_id="confirmPhoto",
        sync_to_thread=False,
        **contract(400, 401, 404, 409, 413, 422),
    )
    def confirm(
        self,
        batch_id: PathId,
        data: JSONBody[ConfirmPhoto],
        principal: Caller,
        photos: NamedDependency[Photos],
    ) -> PhotoOut:
        return _out(
            photos.confirm(principal.sub, known_id(batch_id, "batch"), data.photo_id, utc_now())
        )

    @get(
        operation_id="listPhotos",
        sync_to_thread=False,
        **contract(400, 401, 404),
    )
    def list_photos(
        self,
        batch_id: PathId,
        principal: Caller,
        photos: NamedDependency[Photos],
        limit: PageSize = 50,
        cursor: Cursor = None,
    ) -> PhotoPage:
        """Newest first, each with a GET URL that works for a few minutes."""
        page = photos.list_photos(
            principal.sub, known_id(batch_id, "batch"), limit=limit, cursor=cursor, now=utc_now()
        )
        return PhotoPage(items=[_out(link) for link in page.items], next_cursor=page.next_cursor)

    @delete(
        "/{photo_id:str}",
        operation_id="deletePhoto",
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=False,
        **contract(401, 404),
    )
    def delete_photo(
        self,
        batch_id: PathId,
        photo_id: PathId,
        principal: Caller,
        photos: NamedDependency[Photos],
    ) -> None:
        """The object goes first: if the item delete fails, a retry finds it again."""
        photos.delete(
            principal.sub, known_id(batch_id, "batch"), known_id(photo_id, "photo"), utc_now()
        )
