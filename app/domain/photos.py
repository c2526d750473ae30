"""Photos of a batch: the shape, the limits, and what the first bytes of an image say.

The app uploads straight to S3; the API only checks afterwards what arrived. The
checks read the object's first bytes, so they cost one small ranged GET, never the
whole upload.
"""

from __future__ import annotations

import struct
from datetime import datetime
from typing import Literal, get_args

import msgspec

PhotoContentType = Literal["image/jpeg", "image/png", "image/webp", "image/heic"]
PHOTO_CONTENT_TYPES: tuple[PhotoContentType, ...] = get_args(PhotoContentType)

MAX_PHOTO_BYTES = 10 * 1024 * 1024
# Photos a batch and an account may hold (10 MB each at most): bounds storage and what
# an account deletion has to remove.
MAX_PHOTOS_PER_BATCH = 100
MAX_PHOTOS_PER_USER = 1000
UPLOAD_SECONDS = 300
# Enough for a JPEG's EXIF block and its frame header in almost every camera's files.
HEAD_BYTES = 64 * 1024


class Photo(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    batch_id: str
    content_type: PhotoContentType
    size: int
    width: int | None
    height: int | None
    created_at: datetime


class ImageInfo(msgspec.Struct, frozen=True):
    content_type: PhotoContentType
    width: int | None
    height: int | None


def sniff(head: bytes) -> ImageInfo | None:
    """The image type its magic bytes name, with the pixel size when the header has it.

    None for anything that is not one of the accepted image types, whatever the
    upload claimed its Content-Type was.
    """
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        if len(head) >= 24 and head[12:16] == b"IHDR":
            width, height = struct.unpack(">II", head[16:24])
            return ImageInfo("image/png", width, height)
        return ImageInfo("image/png", None, None)
    if head.startswith(b"\xff\xd8\xff"):
        return ImageInfo("image/jpeg", *_jpeg_size(head))
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ImageInfo("image/webp", *_webp_size(head))
    if head[4:8] == b"ftyp" and head[8:12] in {b"heic", b"heix", b"mif1", b"msf1", b"heim"}:
        # HEIC keeps its size deep in nested boxes: not worth parsing here.
        return ImageInfo("image/heic", None, None)
    return None


def _jpeg_size(data: bytes) -> tuple[int | None, int | None]:
    """Walk the JPEG segments to the first start-of-frame marker."""
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None, None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in {0xD8, 0x01} or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in {0xC4, 0xC8, 0xCC}:
            if i + 9 > len(data):
                return None, None
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None, None


def _webp_size(data: bytes) -> tuple[int | None, int | None]:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return width, height
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None, None


def check_upload(
    *, declared: str | None, size: int, head: bytes
) -> tuple[ImageInfo | None, str | None]:
    """What S3 stored, checked again: `(info, None)` when it is a photo, else `(None, why)`."""
    if size < 1 or size > MAX_PHOTO_BYTES:
        return None, f"The upload is {size} bytes; a photo is 1 byte to {MAX_PHOTO_BYTES} bytes."
    if declared not in PHOTO_CONTENT_TYPES:
        return None, f"The upload's Content-Type {declared!r} is not an accepted image type."
    info = sniff(head)
    if info is None or info.content_type != declared:
        return None, f"The uploaded bytes are not a {declared} image."
    return info, None
