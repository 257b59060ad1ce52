"""Location and time out of an MP4/MOV (ISO base media file), and a copy of it with every carrier of them blanked.

Phones write where and when a video was shot into metadata boxes (`udta` with `©xyz`, `meta` with
`com.apple.quicktime.location.ISO6709`, `uuid` XMP); dashcams and action cameras record their whole route: Novatek
dashcams as `freeGPS` blocks (free space the player skips, indexed by a `moov/gps ` box), GoPro and 360-degree
cameras as metadata tracks (`gpmd`, `camm`), other dashcams as text or subtitle tracks. Blanking never moves a byte,
so every chunk offset into `mdat` stays valid and nothing is re-encoded: a metadata box, the `gps ` index and a
metadata track each become a `free` box of the same size filled with zeros (so players no longer see the track), a
metadata track's samples are zeroed where they lie, and the payload of every free-space box and `freeGPS` block is
zeroed in place.
"""

from __future__ import annotations

import re
import struct
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from services.media.boxes import Box, walk
from services.media.tracks import is_metadata_track, sample_ranges

METADATA = {b"udta", b"meta", b"uuid"}  # where phones write a location, as ISO 6709 text
BLANKED = METADATA | {b"gps "}
FREE_SPACE = {b"free", b"skip"}
FREE_GPS = b"freeGPS "  # a Novatek block: its size, `free`, then `GPS ` and the fix
QUICKTIME_EPOCH = datetime(1904, 1, 1, tzinfo=UTC)
ISO6709 = re.compile(rb"([+-]\d{1,2}(?:\.\d+)?)([+-]\d{1,3}(?:\.\d+)?)")


@dataclass(frozen=True)
class VideoFacts:
    captured_at: datetime | None
    latitude: float | None
    longitude: float | None


def read_facts(data: bytes) -> VideoFacts:
    """Creation time from `mvhd` (zero means unknown) and the first ISO 6709 location found in metadata."""
    captured_at = None
    latitude = longitude = None
    for box in walk(data):
        if box.kind == b"mvhd" and captured_at is None:
            captured_at = _creation_time(data, box)
        elif box.kind in METADATA and latitude is None:
            found = ISO6709.search(data, box.body, box.end)
            if found and abs(float(found[1])) <= 90 and abs(float(found[2])) <= 180:
                latitude, longitude = float(found[1]), float(found[2])
    return VideoFacts(captured_at, latitude, longitude)


def _creation_time(data: bytes, box: Box) -> datetime | None:
    if box.body + 12 > box.end:
        return None
    version = data[box.body]
    seconds = struct.unpack_from(">Q" if version == 1 else ">I", data, box.body + 4)[0]
    return QUICKTIME_EPOCH + timedelta(seconds=seconds) if seconds else None


def blank_metadata(data: bytes) -> tuple[bytes, int]:
    """The same file, byte for byte the same length, with every carrier of metadata blanked, and how many were."""
    found = list(walk(data))
    tracks = [box for box in found if box.kind == b"trak" and is_metadata_track(data, box)]
    boxes = [box for box in found if box.kind in BLANKED] + tracks
    free_space = [(box.body, box.end) for box in found if box.kind in FREE_SPACE]
    free_gps = list(_free_gps_blocks(data))
    samples = [range_ for track in tracks for range_ in sample_ranges(data, track)]
    media = sorted((box.body, box.end) for box in found if box.kind == b"mdat")
    copy = bytearray(data)
    _zero(copy, [*_within(media, samples + free_gps), *free_space])
    for box in boxes:
        copy[box.start + 4 : box.start + 8] = b"free"
        _zero(copy, [(box.body, box.end)])
    return bytes(copy), len(boxes) + len(free_space) + len(free_gps)


def _free_gps_blocks(data: bytes) -> Iterator[tuple[int, int]]:
    """Novatek GPS blocks wherever they lie (often inside `mdat`, between the video's chunks): from their `GPS `
    marker to the end their size gives, the marker at least."""
    at = data.find(FREE_GPS)
    while at != -1:
        if at >= 4:
            end = at - 4 + struct.unpack_from(">I", data, at - 4)[0]
            yield at + 4, max(end, at + 8)
        at = data.find(FREE_GPS, at + len(FREE_GPS))


def _within(media: list[tuple[int, int]], ranges: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Each range cut at the end of the `mdat` box it starts in, or dropped if it starts in none: a sample table or
    a block size that points elsewhere (into `moov`, past the file) is not followed, so the file's boxes survive."""
    starts = [start for start, _ in media]
    for start, end in ranges:
        index = bisect_right(starts, start) - 1
        if index >= 0 and start < media[index][1]:
            yield start, min(end, media[index][1])


def _zero(copy: bytearray, ranges: Iterable[tuple[int, int]]) -> None:
    """Zero the ranges; overlapping ones are merged so that no byte is written twice."""
    zeroed_to = 0
    for start, end in sorted(ranges):
        start = max(start, zeroed_to)
        if start < end:
            copy[start:end] = bytes(end - start)
            zeroed_to = end
