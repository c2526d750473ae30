"""Photo objects in S3: presigned upload forms, checks after upload, download URLs.

Key layout (one bucket):

| prefix                                              | what                               |
|-----------------------------------------------------|------------------------------------|
| `pending/users/<sub>/batches/<id>/photos/<photoId>` | uploads not yet confirmed; a       |
|                                                     | lifecycle rule expires them        |
| `users/<sub>/batches/<id>/photos/<photoId>`         | confirmed photos                   |
| `exports/<sub>/<exportId>.csv`                      | large CSV exports; expire too      |

Uploads land under `pending/` so that one prefix rule can expire whatever is never
confirmed: S3 lifecycle filters match a key prefix, not a pattern, and a tag set by
the POST form is spelled differently by S3 and the emulators. Confirming copies the
object to its final key and removes the pending one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

import msgspec
from botocore.exceptions import ClientError

from app.domain.photos import HEAD_BYTES, MAX_PHOTO_BYTES, UPLOAD_SECONDS, PhotoContentType

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

PENDING = "pending/"
EXPORTS = "exports/"
_DELETE_LIMIT = 1000


class UploadForm(msgspec.Struct, frozen=True, kw_only=True):
    url: str
    fields: dict[str, str]
    expires_at: datetime


class Uploaded(msgspec.Struct, frozen=True, kw_only=True):
    size: int
    content_type: str | None
    head: bytes


def photo_key(sub: str, batch_id: str, photo_id: str) -> str:
    return f"{batch_photos_prefix(sub, batch_id)}{photo_id}"


def batch_photos_prefix(sub: str, batch_id: str) -> str:
    return f"users/{sub}/batches/{batch_id}/photos/"


def user_photos_prefix(sub: str) -> str:
    return f"users/{sub}/"


def pending_key(sub: str, batch_id: str, photo_id: str) -> str:
    return PENDING + photo_key(sub, batch_id, photo_id)


def export_key(sub: str, export_id: str) -> str:
    return f"{EXPORTS}{sub}/{export_id}.csv"


def user_prefixes(sub: str) -> tuple[str, ...]:
    """Where a user's objects live: confirmed photos, pending uploads, exports."""
    return (user_photos_prefix(sub), f"{PENDING}users/{sub}/", f"{EXPORTS}{sub}/")


class PhotoObjects:
    """S3 calls for photos and exports; the client is built on first use."""

    def __init__(self, client: Callable[[], S3Client], bucket: str, url_seconds: int) -> None:
        self._client_factory = client
        self.bucket = bucket
        self.url_seconds = url_seconds

    @cached_property
    def client(self) -> S3Client:
        return self._client_factory()

    def upload_form(
        self,
        sub: str,
        batch_id: str,
        photo_id: str,
        content_type: PhotoContentType,
        *,
        now: datetime,
        expires_in: int = UPLOAD_SECONDS,
    ) -> UploadForm:
        """A POST form S3 itself checks: this key, this type, 1 byte to 10 MB, 5 minutes."""
        post = self.client.generate_presigned_post(
            Bucket=self.bucket,
            Key=pending_key(sub, batch_id, photo_id),
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, MAX_PHOTO_BYTES],
            ],
            ExpiresIn=expires_in,
        )
        return UploadForm(
            url=post["url"],
            fields={name: str(value) for name, value in post["fields"].items()},
            expires_at=now + timedelta(seconds=expires_in),
        )

    def inspect_pending(self, sub: str, batch_id: str, photo_id: str) -> Uploaded | None:
        """Size and type from a HEAD, then the first bytes to check what they really are."""
        key = pending_key(sub, batch_id, photo_id)
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            # Without s3:ListBucket, S3 answers 403 rather than 404 for a missing key.
            if _status(exc) in {403, 404}:
                return None
            raise
        size = int(head["ContentLength"])
        first = b""
        if 0 < size <= MAX_PHOTO_BYTES:
            body = self.client.get_object(
                Bucket=self.bucket, Key=key, Range=f"bytes=0-{HEAD_BYTES - 1}"
            )["Body"]
            first = body.read()
        return Uploaded(size=size, content_type=head.get("ContentType"), head=first)

    def promote(self, sub: str, batch_id: str, photo_id: str) -> None:
        """Copy the checked upload to its final key (same bytes, same Content-Type)."""
        self.client.copy_object(
            Bucket=self.bucket,
            Key=photo_key(sub, batch_id, photo_id),
            CopySource={"Bucket": self.bucket, "Key": pending_key(sub, batch_id, photo_id)},
            MetadataDirective="COPY",
        )

    def discard_pending(self, sub: str, batch_id: str, photo_id: str) -> None:
        self.delete([pending_key(sub, batch_id, photo_id)])

    def delete(self, keys: Iterable[str]) -> None:
        """Delete objects by key; a key that is already gone counts as deleted."""
        batch: list[str] = []
        for key in keys:
            batch.append(key)
            if len(batch) == _DELETE_LIMIT:
                self._delete_many(batch)
                batch = []
        if batch:
            self._delete_many(batch)

    def delete_user(self, sub: str) -> int:
        """Every object of a user (confirmed and pending photos, exports), every version
        of each and every delete marker: in a versioned bucket (prod) a plain delete
        only hides an object behind a marker, and the bytes would outlive the account.
        On a bucket without versioning each object is listed once, as version `null`.

        Listed by prefix rather than from the table, so objects whose items are already
        gone are found too and a retry finishes what an interrupted call left."""
        deleted = 0
        for prefix in user_prefixes(sub):
            pages = self.client.get_paginator("list_object_versions").paginate(
                Bucket=self.bucket, Prefix=prefix
            )
            for page in pages:
                versions = [
                    {"Key": entry["Key"], "VersionId": entry["VersionId"]}
                    for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
                ]
                for start in range(0, len(versions), _DELETE_LIMIT):
                    self._delete_versions(versions[start : start + _DELETE_LIMIT])
                deleted += len(versions)
        return deleted

    def _delete_versions(self, versions: list[Any]) -> None:
        response = self.client.delete_objects(
            Bucket=self.bucket, Delete={"Objects": versions, "Quiet": True}
        )
        errors = response.get("Errors", [])
        if errors:
            raise RuntimeError(f"S3 refused to delete {len(errors)} versions: {errors[0]}")

    def _delete_many(self, keys: list[str]) -> None:
        if len(keys) == 1:
            self.client.delete_object(Bucket=self.bucket, Key=keys[0])
            return
        response = self.client.delete_objects(
            Bucket=self.bucket,
            Delete={"Objects": [{"Key": key} for key in keys], "Quiet": True},
        )
        errors = response.get("Errors", [])
        if errors:
            raise RuntimeError(f"S3 refused to delete {len(errors)} objects: {errors[0]}")

    def count(self, prefix: str, up_to: int) -> int:
        """How many objects are under `prefix`, counted up to `up_to` (at most 1000):
        one LIST call tells whether a cap is reached."""
        response = self.client.list_objects_v2(Bucket=self.bucket, Prefix=prefix, MaxKeys=up_to)
        return int(response.get("KeyCount", 0))

    def download_url(self, key: str, *, now: datetime) -> tuple[str, datetime]:
        """A short-lived GET URL for one object, and when it stops working."""
        url = self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=self.url_seconds
        )
        return url, now + timedelta(seconds=self.url_seconds)


def _status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
