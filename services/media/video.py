"""Location and time out of an MP4/MOV (ISO base media file), and a copy of it with its metadata blanked.

Phones write where and when a video was shot into metadata boxes (`udta` with `©xyz`, `meta` with
`com.apple.quicktime.location.ISO6709`, `uuid` XMP). Blanking turns each such box into a `free` box of the same
size filled with zeros: no byte moves, so every chunk offset into `mdat` stays valid and nothing is re-encoded.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"edts"}
METADATA = {b"udta", b"meta", b"uuid"}
QUICKTIME_EPOCH = datetime(1904, 1, 1, tzinfo=UTC)
ISO6709 = re.compile(rb"([+-]\d{1,2}(?:\.\d+)?)([+-]\d{1,3}(?:\.\d+)?)")


@dataclass(frozen=True)
class VideoFacts:
    captured_at: datetime | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class _Box:
    kind: bytes
    start: int
    header: int
    end: int


def _boxes(data: bytes | bytearray, start: int, end: int) -> Iterator[_Box]:
    """The boxes between `start` and `end`; stops at the first malformed header rather than guessing."""
    position = start
    while position + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, position)
        header = 8
        if size == 1:
            if position + 16 > end:
                return
            size = struct.unpack_from(">Q", data, position + 8)[0]
            header = 16
        elif size == 0:
            size = end - position
        if size < header or position + size > end:
            return
        yield _Box(kind, position, header, position + size)
        position += size


def _walk(data: bytes | bytearray) -> Iterator[_Box]:
    pending = [(0, len(data))]
    while pending:
        start, end = pending.pop()
        for box in _boxes(data, start, end):
            yield box
            if box.kind in CONTAINERS:
                pending.append((box.start + box.header, box.end))


def read_facts(data: bytes) -> VideoFacts:
    """Creation time from `mvhd` (zero means unknown) and the first ISO 6709 location found in metadata."""
    captured_at = None
    latitude = longitude = None
    for box in _walk(data):
        if box.kind == b"mvhd" and captured_at is None:
            captured_at = _creation_time(data, box)
        elif box.kind in METADATA and latitude is None:
            found = ISO6709.search(data, box.start + box.header, box.end)
            if found and abs(float(found[1])) <= 90 and abs(float(found[2])) <= 180:
                latitude, longitude = float(found[1]), float(found[2])
    return VideoFacts(captured_at, latitude, longitude)


def _creation_time(data: bytes, box: _Box) -> datetime | None:
    body = box.start + box.header
    if body + 12 > box.end:
        return None
    version = data[body]
    seconds = (
        struct.unpack_from(">Q", data, body + 4)[0] if version == 1 else struct.unpack_from(">I", data, body + 4)[0]
    )
    return QUICKTIME_EPOCH + timedelta(seconds=seconds) if seconds else None


def blank_metadata(data: bytes) -> tuple[bytes, int]:
    """The same file with every metadata box turned into zero-filled `free` space, and how many were blanked."""
    copy = bytearray(data)
    blanked = [box for box in _walk(copy) if box.kind in METADATA]
    for box in blanked:
        copy[box.start + 4 : box.start + 8] = b"free"
        copy[box.start + box.header : box.end] = bytes(box.end - box.start - box.header)
    return bytes(copy), len(blanked)
