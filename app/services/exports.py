"""Large CSV exports go to S3 as a multipart upload, part by part, and are handed out
as a short-lived download URL: a Lambda response is capped near 6 MB, and a routed
function must answer within API Gateway's 30 s.

An export that cannot finish within one request's time budget is resumable: between
requests its state lives in S3 next to the file it is building, under the caller's own
prefix (`exports/<sub>/<id>.state`: the upload id, the parts so far and the table cursor;
`exports/<sub>/<id>.tail`: the bytes not yet a full part). Parts are uploaded as soon as
they reach S3's minimum part size, so a request holds at most one part in memory. A
lifecycle rule on `exports/` removes all of it after a day.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from botocore.exceptions import ClientError

from app.aws_errors import error_code
from app.domain.errors import NotFound
from app.services.photos import PhotoObjects, export_key

# S3's minimum size for every part but the last.
PART_BYTES = 5 * 1024 * 1024
CSV_CONTENT_TYPE = "text/csv; charset=utf-8; header=present"


class Part(msgspec.Struct, frozen=True):
    PartNumber: int
    ETag: str


class ExportState(msgspec.Struct, kw_only=True):
    """Where an unfinished export stands: enough to carry on in another request."""

    upload_id: str
    filename: str
    parts: list[Part] = msgspec.field(default_factory=list)
    # The table's LastEvaluatedKey after the last page written (DynamoDB JSON).
    cursor: dict[str, Any] | None = None


_state_encoder = msgspec.json.Encoder()
_state_decoder = msgspec.json.Decoder(ExportState)


class ExportUpload:
    """One export file being built: start it, add bytes, save and resume, finish."""

    def __init__(
        self, objects: PhotoObjects, sub: str, export_id: str, state: ExportState, tail: bytearray
    ) -> None:
        self.objects = objects
        self.sub = sub
        self.export_id = export_id
        self.state = state
        self.buffer = tail
        self.key = export_key(sub, export_id)

    @classmethod
    def start(cls, objects: PhotoObjects, sub: str, export_id: str, filename: str) -> ExportUpload:
        upload_id = objects.client.create_multipart_upload(
            Bucket=objects.bucket,
            Key=export_key(sub, export_id),
            ContentType=CSV_CONTENT_TYPE,
            ContentDisposition=f'attachment; filename="{filename}"',
        )["UploadId"]
        return cls(
            objects,
            sub,
            export_id,
            ExportState(upload_id=upload_id, filename=filename),
            bytearray(),
        )

    @classmethod
    def resume(cls, objects: PhotoObjects, sub: str, export_id: str) -> ExportUpload:
        """The caller's own unfinished export; anything else (another user's id, a
        finished or expired one) is NotFound."""
        state = _state_decoder.decode(_read(objects, _state_key(sub, export_id)))
        tail = bytearray(_read(objects, _tail_key(sub, export_id)))
        return cls(objects, sub, export_id, state, tail)

    def add(self, chunk: bytes) -> None:
        self.buffer += chunk
        if len(self.buffer) >= PART_BYTES:
            self._upload_part()

    def save(self, cursor: dict[str, Any]) -> None:
        """Tail first, state last: a state object always names a tail that is there."""
        self.state.cursor = cursor
        client, bucket = self.objects.client, self.objects.bucket
        client.put_object(
            Bucket=bucket, Key=_tail_key(self.sub, self.export_id), Body=bytes(self.buffer)
        )
        client.put_object(
            Bucket=bucket,
            Key=_state_key(self.sub, self.export_id),
            Body=_state_encoder.encode(self.state),
        )

    def finish(self, *, now: datetime) -> str:
        """Upload the rest, complete the file, forget the state; a presigned GET URL."""
        if self.buffer or not self.state.parts:
            self._upload_part()
        client, bucket = self.objects.client, self.objects.bucket
        client.complete_multipart_upload(
            Bucket=bucket,
            Key=self.key,
            UploadId=self.state.upload_id,
            MultipartUpload={"Parts": msgspec.to_builtins(self.state.parts)},
        )
        # Without the state object, the same id can never be continued again.
        self.objects.delete([_state_key(self.sub, self.export_id)])
        # The object carries its Content-Disposition, so the plain URL downloads as a file.
        url, _ = self.objects.download_url(self.key, now=now)
        return url

    def abort(self) -> None:
        self.objects.client.abort_multipart_upload(
            Bucket=self.objects.bucket, Key=self.key, UploadId=self.state.upload_id
        )

    def _upload_part(self) -> None:
        number = len(self.state.parts) + 1
        response = self.objects.client.upload_part(
            Bucket=self.objects.bucket,
            Key=self.key,
            UploadId=self.state.upload_id,
            PartNumber=number,
            # A bytearray is sent as it is: no copy of the part.
            Body=self.buffer,  # type: ignore[arg-type]
        )
        self.state.parts.append(Part(number, response["ETag"]))
        # Cleared in place: the HTTP layer may still hold it.
        self.buffer.clear()


def _state_key(sub: str, export_id: str) -> str:
    return export_key(sub, export_id).removesuffix(".csv") + ".state"


def _tail_key(sub: str, export_id: str) -> str:
    return export_key(sub, export_id).removesuffix(".csv") + ".tail"


def _read(objects: PhotoObjects, key: str) -> bytes:
    try:
        body: bytes = objects.client.get_object(Bucket=objects.bucket, Key=key)["Body"].read()
    except ClientError as exc:
        if error_code(exc) in {"NoSuchKey", "404", "AccessDenied"}:
            raise NotFound("No such export in progress.") from None
        raise
    return body
