"""All of a user's data as one CSV file.

Small exports are returned whole. Once the CSV passes `inline_max_bytes` (under
Lambda's ~6 MB response cap) the rest streams into S3 and the caller gets a
short-lived download URL instead, so memory stays at one page plus one part.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from app.domain.ids import new_ulid
from app.services.exports import upload_export
from app.services.photos import PhotoObjects
from app.store.export import ExportStore, csv_chunks


class CsvFile(msgspec.Struct, frozen=True):
    filename: str
    body: bytes


class CsvLink(msgspec.Struct, frozen=True):
    filename: str
    url: str


class Exports:
    def __init__(
        self, store: ExportStore, objects: PhotoObjects | None, inline_max_bytes: int
    ) -> None:
        self.store = store
        self.objects = objects
        self.inline_max_bytes = inline_max_bytes

    def csv(self, sub: str, now: datetime) -> CsvFile | CsvLink:
        filename = f"kefir-export-{now:%Y%m%d}.csv"
        chunks = csv_chunks(self.store.pages(sub))
        body = bytearray()
        for chunk in chunks:
            body += chunk
            if len(body) > self.inline_max_bytes:
                if self.objects is None:
                    raise RuntimeError("PHOTOS_BUCKET is not set: large exports are unavailable")
                url = upload_export(
                    self.objects, sub, new_ulid(now), body, chunks, filename=filename, now=now
                )
                return CsvLink(filename, url)
        return CsvFile(filename, bytes(body))
