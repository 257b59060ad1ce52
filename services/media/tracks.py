"""Which tracks of a video carry metadata rather than picture or sound, and where their samples lie in the file.

Action cameras and dashcams record where they were as a timed track beside the video: GoPro's GPMF (`gpmd`
samples), the Camera Motion Metadata of 360-degree cameras and Street View (`camm`), and text or subtitle tracks
that some dashcams fill with coordinates and speed. A track is told by its handler (`meta`, `text`, `sbtl`, `subt`)
or by its sample entry. Its samples are found through its sample table: chunk offsets (`stco`, or `co64`), samples
per chunk (`stsc`) and sample sizes (`stsz`).
"""

from __future__ import annotations

import struct
from itertools import pairwise

from services.media.boxes import Box, child, field

METADATA_HANDLERS = {b"meta", b"text", b"sbtl", b"subt"}
METADATA_SAMPLES = {b"gpmd", b"camm", b"mett", b"metx", b"tx3g", b"text", b"wvtt", b"stpp"}


def is_metadata_track(data: bytes, trak: Box) -> bool:
    hdlr = child(data, trak, b"mdia", b"hdlr")
    if hdlr is not None and field(data, hdlr, 8, 4) in METADATA_HANDLERS:
        return True
    stsd = child(data, trak, b"mdia", b"minf", b"stbl", b"stsd")
    return stsd is not None and field(data, stsd, 12, 4) in METADATA_SAMPLES


def sample_ranges(data: bytes, trak: Box) -> list[tuple[int, int]]:
    """(start, end) of each chunk of the track's samples in the file, as its sample table says; ends may lie past
    the file when the table is wrong, callers clip them."""
    stbl = child(data, trak, b"mdia", b"minf", b"stbl")
    if stbl is None:
        return []
    offsets = _chunk_offsets(data, stbl)
    stsz = child(data, stbl, b"stsz")
    if stsz is None or len(field(data, stsz, 0, 12)) < 12:
        return []
    fixed_size = struct.unpack_from(">I", data, stsz.body + 4)[0]
    sizes = [] if fixed_size else _table(data, stsz, 8, ">I")
    ranges = []
    sample = 0
    for offset, count in zip(offsets, _samples_per_chunk(data, stbl, len(offsets)), strict=False):
        length = fixed_size * count if fixed_size else sum(size for (size,) in sizes[sample : sample + count])
        sample += count
        ranges.append((offset, offset + length))
    return ranges


def _chunk_offsets(data: bytes, stbl: Box) -> list[int]:
    stco = child(data, stbl, b"stco")
    if stco is not None:
        return [offset for (offset,) in _table(data, stco, 4, ">I")]
    co64 = child(data, stbl, b"co64")
    return [] if co64 is None else [offset for (offset,) in _table(data, co64, 4, ">Q")]


def _samples_per_chunk(data: bytes, stbl: Box, chunks: int) -> list[int]:
    """How many samples each chunk holds: `stsc` gives runs of chunks (from a first chunk, numbered from 1)."""
    stsc = child(data, stbl, b"stsc")
    runs = [] if stsc is None else [(first, count) for first, count, _ in _table(data, stsc, 4, ">III")]
    counts: list[int] = []
    for (first, count), (next_first, _) in pairwise([*runs, (chunks + 1, 0)]):
        counts.extend([count] * (min(next_first, chunks + 1) - max(first, len(counts) + 1)))
    return counts


def _table(data: bytes, box: Box, count_at: int, entry: str) -> list[tuple[int, ...]]:
    """The entries of a full box's table: a count at `count_at` of the body, then the entries; no more entries
    than the box can hold, whatever the count says."""
    raw_count = field(data, box, count_at, 4)
    if not raw_count:
        return []
    size = struct.calcsize(entry)
    start = box.body + count_at + 4
    count = min(int.from_bytes(raw_count, "big"), (box.end - start) // size)
    return list(struct.iter_unpack(entry, data[start : start + count * size]))
