"""Blanking video metadata in place: nothing moves, nothing of where or who survives, the media data is untouched."""

from __future__ import annotations

from datetime import UTC, datetime

from services.media.video import blank_metadata, read_facts
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
