"""Blanking video metadata in place: nothing moves, nothing of where or who survives, the media data is untouched."""

from __future__ import annotations

import struct
import time
from datetime import UTC, datetime

from services.media.video import blank_metadata, read_facts
from tests.helpers.camera_videos import box_tree, boxes_at, camm_camera, gopro
from tests.helpers.media_files import box, moov_with_location, mp4

SHOT_AT = datetime(2025, 3, 8, 9, 15, 30, tzinfo=UTC)


def test_facts_come_from_mvhd_and_iso6709() -> None:
    facts = read_facts(mp4(moov=moov_with_location(21.0285, 105.8542, SHOT_AT)))
    assert facts.captured_at == SHOT_AT
    assert facts.latitude is not None
    assert abs(facts.latitude - 21.0285) < 1e-4
    assert facts.longitude is not None
    assert abs(facts.longitude - 105.8542) < 1e-4


def test_a_video_without_metadata_has_no_facts_and_is_unchanged() -> None:
    data = mp4()
    assert read_facts(data).latitude is None
    assert read_facts(data).captured_at is None
    assert blank_metadata(data) == (data, 0)


def test_blanking_keeps_every_offset_and_the_media_data() -> None:
    data = mp4(payload_bytes=512, moov=moov_with_location(-33.8688, 151.2093, SHOT_AT))
    blanked, count = blank_metadata(data)
    assert count == 3
    assert len(blanked) == len(data)
    mdat_end = data.index(b"moov") - 4
    assert blanked[:mdat_end] == data[:mdat_end]
    assert read_facts(blanked).latitude is None
    assert read_facts(blanked).captured_at == SHOT_AT
    assert b"udta" not in blanked
    assert b"free" in blanked


def test_malformed_boxes_stop_the_walk_instead_of_guessing() -> None:
    truncated = mp4(moov=moov_with_location(21.0, 105.8, SHOT_AT))[:-20]
    blanked, _ = blank_metadata(truncated)
    assert len(blanked) == len(truncated)
    bogus_size = box(b"ftyp", b"isom") + b"\xff\xff\xff\xffudta" + b"secret"
    assert blank_metadata(bogus_size) == (bogus_size, 0)


def test_hostile_sample_tables_are_cut_at_the_media_data_not_followed() -> None:
    video = camm_camera()
    data = bytearray(video.data)
    stsz, stsc, co64 = (data.rindex(kind) + 4 for kind in (b"stsz", b"stsc", b"co64"))  # the camm track's
    data[stsz + 4 : stsz + 12] = struct.pack(">II", 0xFFFFFFFF, 0xFFFFFFFF)  # 4 billion samples of 4 GB each
    data[stsc + 4 : stsc + 8] = struct.pack(">I", 0xFFFFFFFF)  # 4 billion runs in a table of one
    data[co64 + 4 : co64 + 8] = struct.pack(">I", 0xFFFFFFFF)
    started = time.monotonic()
    blanked, _ = blank_metadata(bytes(data))
    assert time.monotonic() - started < 1
    assert len(blanked) == len(data)
    assert all(secret not in blanked for secret in video.secrets)
    assert boxes_at(blanked, b"moov/trak") == boxes_at(bytes(data), b"moov/trak")[:1]
    assert box_tree(blanked)[-1][0] == b"moov/free"  # the camm track, blanked, and the file still walks


def test_a_sample_table_pointing_outside_the_media_data_zeroes_nothing_there() -> None:
    data = bytearray(gopro().data)
    stco = data.rindex(b"stco") + 4  # the GPMF track's: both its chunks now "lie" in the ftyp and the moov
    data[stco + 8 : stco + 16] = struct.pack(">II", 8, len(data) - 40)
    blanked, _ = blank_metadata(bytes(data))
    mdat = data.index(b"mdat") - 4
    assert blanked[:mdat] == data[:mdat]
    assert box_tree(blanked)[-1][0] == b"moov/free"  # the track, blanked, and nothing after it touched
