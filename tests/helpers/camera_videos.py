"""Videos as dashcams and action cameras write them, generated with a real sample table, and a strict box reader.

Each builder returns the file and the byte strings that give the camera's position away, so a test can check that
every one of them is in the upload and none is in what is served. The picture is a video track of a few fake frames
with its chunk offsets into `mdat`, which blanking must leave exactly as they were.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

from tests.helpers.media_files import LAKE_LATITUDE, LAKE_LONGITUDE, box

FRAMES = [bytes([0, 0, 0, 12, 0x65]) + f"frame {n:05d}".encode() for n in range(4)]
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf"}


@dataclass(frozen=True)
class Track:
    handler: bytes
    sample_entry: bytes
    samples: list[bytes]
    samples_per_chunk: int = 1
    co64: bool = False  # 64-bit chunk offsets, as in files over 4 GB


VIDEO = Track(b"vide", b"avc1", FRAMES)


@dataclass(frozen=True)
class CameraVideo:
    data: bytes
    secrets: list[bytes]


def _full(body: bytes) -> bytes:
    """A full box's body: version 0, no flags."""
    return b"\x00\x00\x00\x00" + body


def _trak(track_id: int, track: Track, chunk_offsets: list[int]) -> bytes:
    sizes = {len(sample) for sample in track.samples}
    stsz = (
        struct.pack(">II", sizes.pop(), len(track.samples))
        if len(sizes) == 1  # every sample the same size: the table is left out
        else struct.pack(">II", 0, len(track.samples)) + b"".join(struct.pack(">I", len(s)) for s in track.samples)
    )
    offsets = b"".join(struct.pack(">Q" if track.co64 else ">I", offset) for offset in chunk_offsets)
    stbl = (
        box(b"stsd", _full(struct.pack(">I", 1) + box(track.sample_entry, b"\x00" * 6 + b"\x00\x01")))
        + box(b"stts", _full(struct.pack(">III", 1, len(track.samples), 1000)))
        + box(b"stsc", _full(struct.pack(">IIII", 1, 1, track.samples_per_chunk, 1)))
        + box(b"stsz", _full(stsz))
        + box(b"co64" if track.co64 else b"stco", _full(struct.pack(">I", len(chunk_offsets)) + offsets))
    )
    hdlr = box(b"hdlr", _full(b"\x00" * 4 + track.handler + b"\x00" * 12 + b"Camera\x00"))
    mdia = box(b"mdia", box(b"mdhd", b"\x00" * 24) + hdlr + box(b"minf", box(b"stbl", stbl)))
    return box(b"trak", box(b"tkhd", _full(b"\x00" * 8 + struct.pack(">I", track_id) + b"\x00" * 72)) + mdia)


def video_file(
    tracks: list[Track],
    between_chunks: bytes = b"",
    after_mdat: bytes = b"",
    moov_tail: Callable[[bytes], bytes] = lambda _: b"",
) -> bytes:
    """An MP4 whose `mdat` interleaves the tracks' chunks (with `between_chunks` after each round of them), then
    `after_mdat`, then a `moov` with the tracks' real chunk offsets and what `moov_tail` makes of the file so far."""
    ftyp = box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2avc1mp41")
    chunks = [
        [b"".join(t.samples[i : i + t.samples_per_chunk]) for i in range(0, len(t.samples), t.samples_per_chunk)]
        for t in tracks
    ]
    payload = b""
    offsets: list[list[int]] = [[] for _ in tracks]
    for round_ in range(max(len(c) for c in chunks)):
        for index, track_chunks in enumerate(chunks):
            if round_ < len(track_chunks):
                offsets[index].append(len(ftyp) + 8 + len(payload))
                payload += track_chunks[round_]
        payload += between_chunks
    prefix = ftyp + box(b"mdat", payload) + after_mdat
    mvhd = box(b"mvhd", _full(b"\x00" * 96))
    traks = b"".join(_trak(n + 1, track, offsets[n]) for n, track in enumerate(tracks))
    return prefix + box(b"moov", mvhd + traks + moov_tail(prefix))


def novatek_dashcam() -> CameraVideo:
    """A Novatek dashcam's file: each fix a `free` block marked `GPS ` (little-endian, degrees and minutes as
    DDDmm.mmmm), some inside `mdat` between the frames and one after it, all indexed by a `gps ` box in `moov`."""
    latitude = struct.pack("<f", 2101.7106)  # 21°01.7106' N, Hoàn Kiếm Lake
    longitude = struct.pack("<f", 10551.144)  # 105°51.144' E
    fix = struct.pack("<6I", 8, 30, 15, 26, 11, 20) + b"ANE\x00" + latitude + longitude + struct.pack("<ff", 42.0, 90.0)
    block = box(b"free", b"GPS " + b"\x00" * 4 + fix + b"\x00" * 64)

    def gps_index(prefix: bytes) -> bytes:
        positions = [at - 4 for at in range(len(prefix)) if prefix.startswith(b"freeGPS ", at)]
        table = b"".join(struct.pack(">II", at, len(block)) for at in positions)
        return box(b"gps ", struct.pack(">II", 0x101, 0) + table)

    data = video_file([VIDEO], between_chunks=block, after_mdat=block, moov_tail=gps_index)
    return CameraVideo(data, [b"freeGPS ", latitude, longitude, b"gps "])


def gopro() -> CameraVideo:
    """A GoPro's file: a `meta` track of GPMF samples (`gpmd`) of varying sizes, two to a chunk, each a `GPS5` fix
    in 1e-7 degrees."""
    fix = struct.pack(">ii", round(LAKE_LATITUDE * 1e7), round(LAKE_LONGITUDE * 1e7))
    samples = [b"DEVC" + b"GPS5" + struct.pack(">BBH", ord("l"), 8, 1) + fix + b"\x00" * 4 * n for n in range(4)]
    data = video_file([VIDEO, Track(b"meta", b"gpmd", samples, samples_per_chunk=2)])
    return CameraVideo(data, [b"GPS5", fix])


def camm_camera() -> CameraVideo:
    """A 360-degree or Street View camera's file: a `camm` track, 64-bit offsets, every sample one position."""
    position = struct.pack("<ddd", LAKE_LATITUDE, LAKE_LONGITUDE, 12.5)
    samples = [struct.pack("<HH", 0, 5) + position for _ in range(3)]
    data = video_file([VIDEO, Track(b"meta", b"camm", samples, co64=True)])
    return CameraVideo(data, [position])


def subtitled_dashcam(handler: bytes = b"sbtl") -> CameraVideo:
    """A dashcam that writes its position and speed as subtitles (`tx3g` text samples)."""
    text = f"N{LAKE_LATITUDE:.5f} E{LAKE_LONGITUDE:.5f} 42 km/h".encode()
    samples = [struct.pack(">H", len(text)) + text for _ in range(3)]
    data = video_file([VIDEO, Track(handler, b"tx3g", samples)])
    return CameraVideo(data, [text])


def free_space_note() -> CameraVideo:
    """A file with free space after `mdat` that a camera's software filled with where it was."""
    note = f"lat={LAKE_LATITUDE} lon={LAKE_LONGITUDE}".encode()
    return CameraVideo(video_file([VIDEO], after_mdat=box(b"skip", note) + box(b"free", note)), [note])


def box_tree(data: bytes, start: int = 0, end: int | None = None, path: bytes = b"") -> list[tuple[bytes, int, int]]:
    """Every box as (its path, such as b"moov/trak/mdia", start, end), checking that the boxes of the file and of
    each container fill it exactly: sizes that do not add up fail the test."""
    end = len(data) if end is None else end
    found = []
    position = start
    while position < end:
        assert position + 8 <= end, f"a partial box header at {position} in {path!r}"
        size, kind = struct.unpack_from(">I4s", data, position)
        assert 8 <= size <= end - position, f"{kind!r} at {position} claims {size} bytes in {path!r}"
        here = path + b"/" + kind if path else kind
        found.append((here, position, position + size))
        if kind in CONTAINERS:
            found += box_tree(data, position + 8, position + size, here)
        position += size
    return found


def boxes_at(data: bytes, path: bytes) -> list[bytes]:
    """The bytes of every box at `path`."""
    return [data[start:end] for here, start, end in box_tree(data) if here == path]
