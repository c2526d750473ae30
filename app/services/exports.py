"""Large CSV exports go to S3 as a multipart upload, part by part, and are handed out
as a short-lived download URL: a Lambda response is capped near 6 MB.

Parts are uploaded as soon as they reach S3's minimum part size, so an export of any
size holds at most one part in memory. A lifecycle rule on `exports/` removes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from app.services.photos import PhotoObjects, export_key

# S3's minimum size for every part but the last.
PART_BYTES = 5 * 1024 * 1024


def upload_export(
    objects: PhotoObjects,
    sub: str,
    export_id: str,
    first: bytearray,
    rest: Iterable[bytes],
    *,
    filename: str,
    now: datetime,
) -> str:
    """Upload `first` then every chunk of `rest`; return a presigned GET URL for it."""
    client, bucket, key = objects.client, objects.bucket, export_key(sub, export_id)
    upload_id = client.create_multipart_upload(
        Bucket=bucket,
        Key=key,
        ContentType="text/csv; charset=utf-8; header=present",
        ContentDisposition=f'attachment; filename="{filename}"',
    )["UploadId"]
    parts: list[dict[str, object]] = []
    try:
        buffer = first
        for chunk in rest:
            buffer += chunk
            if len(buffer) >= PART_BYTES:
                parts.append(_part(objects, key, upload_id, len(parts) + 1, buffer))
                # Cleared in place: the caller and the HTTP layer may still hold it.
                buffer.clear()
        if buffer or not parts:
            parts.append(_part(objects, key, upload_id, len(parts) + 1, buffer))
        client.complete_multipart_upload(
            Bucket=bucket,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Parts": parts},  # type: ignore[typeddict-item]
        )
    except BaseException:
        client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        raise
    # The object carries its Content-Disposition, so the plain URL downloads as a file.
    url, _ = objects.download_url(key, now=now)
    return url


def _part(
    objects: PhotoObjects, key: str, upload_id: str, number: int, body: bytearray
) -> dict[str, object]:
    response = objects.client.upload_part(
        Bucket=objects.bucket,
        Key=key,
        UploadId=upload_id,
        PartNumber=number,
        # A bytearray is sent as it is: no copy of the part.
        Body=body,  # type: ignore[arg-type]
    )
    return {"PartNumber": number, "ETag": response["ETag"]}
