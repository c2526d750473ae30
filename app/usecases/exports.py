"""All of a user's data as one CSV file, within one request's time budget.

Small exports are returned whole. Once the CSV passes `inline_max_bytes` (under
Lambda's ~6 MB response cap) everything goes to S3 (`app.services.exports`): the rest
streams into a multipart upload and the caller gets a short-lived download URL (303).
A request stops after `call_seconds` (well under API Gateway's 30 s and the routed
function's timeout), saves where it stands and answers 202 with the address that carries
on (`?continue=<id>`); each request finishes at least one page, so every export ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

import msgspec

from app.domain.ids import known_id, new_ulid
from app.services.exports import ExportUpload
from app.services.photos import PhotoObjects
from app.store.export import ExportStore, csv_chunks

# What a request may spend on an export before it hands over to the next one; the
# routed functions time out at 29 s at most, and the last part and the answer need time.
CALL_SECONDS = 20.0


class CsvFile(msgspec.Struct, frozen=True):
    filename: str
    body: bytes


class CsvLink(msgspec.Struct, frozen=True):
    filename: str
    url: str


class CsvPending(msgspec.Struct, frozen=True):
    """Not done yet: ask again with this id to carry on."""

    export_id: str


class Exports:
    def __init__(
        self,
        store: ExportStore,
        objects: PhotoObjects | None,
        inline_max_bytes: int,
        call_seconds: float = CALL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.objects = objects
        self.inline_max_bytes = inline_max_bytes
        self.call_seconds = call_seconds
        self.clock = clock

    def csv(
        self, sub: str, now: datetime, continuation: str | None = None
    ) -> CsvFile | CsvLink | CsvPending:
        deadline = self.clock() + self.call_seconds
        upload: ExportUpload | None = None
        body = bytearray()
        if continuation is None:
            filename = f"kefir-export-{now:%Y%m%d}.csv"
            blocks = csv_chunks(self.store.pages(sub))
        else:
            export_id = known_id(continuation, "export in progress")
            upload = ExportUpload.resume(self._objects(), sub, export_id)
            filename = upload.state.filename
            blocks = csv_chunks(self.store.pages(sub, upload.state.cursor), header=False)
        try:
            for data, cursor in blocks:
                if upload is None:
                    body += data
                    if len(body) <= self.inline_max_bytes:
                        continue
                    upload = ExportUpload.start(self._objects(), sub, new_ulid(now), filename)
                    data, body = bytes(body), bytearray()
                upload.add(data)
                if cursor is not None and self.clock() >= deadline:
                    upload.save(cursor)
                    return CsvPending(upload.export_id)
            if upload is None:
                return CsvFile(filename, bytes(body))
            return CsvLink(filename, upload.finish(now=now))
        except BaseException:
            if upload is not None and continuation is None:
                upload.abort()  # nothing saved yet: nobody can carry this one on
            raise

    def _objects(self) -> PhotoObjects:
        if self.objects is None:
            raise RuntimeError("PHOTOS_BUCKET is not set: large exports are unavailable")
        return self.objects
