"""The checks below the API: type by magic bytes, and what is read from and kept out of a photo."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from core.errors import PayloadTooLarge, UnsupportedMediaType
from services.media.inspection import inspect_photo
from services.media.rules import MAX_PIXELS_PER_BYTE
from services.media.sniffing import sniff
from tests.helpers.media_files import (
    ELF_PROGRAM,
    HTML,
    SVG,
    WINDOWS_PROGRAM,
    flat_png,
    iso_media,
    mov,
    mp4,
    photo,
    png_bomb,
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (photo(size=(8, 8)), "image/jpeg"),
        (photo("PNG", size=(8, 8)), "image/png"),
        (photo("WEBP", size=(8, 8)), "image/webp"),
        (photo("HEIF", size=(8, 8)), "image/heic"),
        (mp4(), "video/mp4"),
        (mov(), "video/quicktime"),
        (iso_media(b"mp42", (b"mp42", b"isom")), "video/mp4"),
    ],
)
def test_real_types_are_told_by_their_first_bytes(data: bytes, expected: str) -> None:
    assert sniff(data[:64]) == expected


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (ELF_PROGRAM, "Linux program"),
        (WINDOWS_PROGRAM, "Windows program"),
        (SVG, "SVG"),
        (b"\xef\xbb\xbf  <?xml version='1.0'?><svg/>", "SVG"),
        (HTML, "HTML"),
        (b"%PDF-1.7", "PDF"),
        (iso_media(b"avif", (b"avif",)), "neither HEIC"),
        (b"just some text", "unknown"),
    ],
)
def test_everything_else_is_refused_by_name(data: bytes, named: str) -> None:
    with pytest.raises(UnsupportedMediaType, match=named):
        sniff(data[:64])


def test_capture_time_honours_an_explicit_offset_and_gps_its_hemisphere() -> None:
    image = Image.new("RGB", (10, 10))
    exif = Image.Exif()
    exif.get_ifd(0x8769).update({36867: "2026:01:02 03:04:05", 36881: "+09:00"})
    exif.get_ifd(0x8825).update({1: "S", 2: (33.0, 52.0, 0.0), 3: "W", 4: (70.0, 30.0, 0.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    inspected = inspect_photo(out.getvalue(), "image/jpeg", 1_000_000)
    assert inspected.captured_at == datetime(2026, 1, 1, 18, 4, 5, tzinfo=UTC)
    assert (inspected.latitude, inspected.longitude) == (pytest.approx(-33.866667), pytest.approx(-70.5))


def test_photos_without_exif_have_no_time_or_place() -> None:
    inspected = inspect_photo(photo("PNG", size=(40, 30)), "image/png", 1_000_000)
    assert (inspected.captured_at, inspected.latitude, inspected.longitude) == (None, None, None)


def test_rotated_photos_are_served_upright_and_measured_so() -> None:
    inspected = inspect_photo(photo(size=(60, 40), orientation=6), "image/jpeg", 1_000_000)
    assert (inspected.width, inspected.height) == (40, 60)
    assert Image.open(io.BytesIO(inspected.display)).size == (40, 60)


def test_transparent_png_is_flattened_into_the_jpeg_derivative() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(out, format="PNG")
    display = Image.open(io.BytesIO(inspect_photo(out.getvalue(), "image/png", 1_000_000).display))
    assert display.mode == "RGB"
    assert display.getpixel((10, 10)) == (255, 255, 255)


def test_pixel_limit_is_checked_from_the_header() -> None:
    with pytest.raises(PayloadTooLarge):
        inspect_photo(png_bomb(100_000, 100_000), "image/png", 40_000_000)
    with pytest.raises(PayloadTooLarge):
        inspect_photo(photo(size=(100, 100)), "image/jpeg", 9_999)


@pytest.mark.parametrize(
    ("fmt", "content_type", "mode", "allowed_pixels"),
    [
        ("JPEG", "image/jpeg", "RGB", 1_000_000),
        ("PNG", "image/png", "RGB", 1_000_000),
        ("PNG", "image/png", "RGBA", 555_555),
        ("HEIF", "image/heic", "RGB", 625_000),
        ("WEBP", "image/webp", "RGB", 294_117),
    ],
)
def test_types_that_cost_more_to_decode_are_allowed_fewer_pixels(
    fmt: str, content_type: str, mode: str, allowed_pixels: int
) -> None:
    """Within one memory budget a decode may hold: a WebP costs three times what a PNG does, a pixel."""
    for side, accepted in ((int(allowed_pixels**0.5), True), (int(allowed_pixels**0.5) + 2, False)):
        out = io.BytesIO()
        Image.effect_noise((side, side), 64).convert(mode).save(out, format=fmt)
        if accepted:
            assert inspect_photo(out.getvalue(), content_type, 1_000_000).width == side
        else:
            with pytest.raises(PayloadTooLarge) as refused:
                inspect_photo(out.getvalue(), content_type, 1_000_000)
            assert refused.value.extensions["maxPixels"] == allowed_pixels


def test_a_file_too_small_for_its_canvas_is_refused_as_a_bomb_but_small_canvases_are_not() -> None:
    with pytest.raises(UnsupportedMediaType, match="decompression bomb") as refused:
        inspect_photo(flat_png(2100, 2100), "image/png", 40_000_000)
    assert refused.value.extensions == {"field": "file", "maxPixelsPerByte": MAX_PIXELS_PER_BYTE}
    assert inspect_photo(flat_png(1900, 1900), "image/png", 40_000_000).width == 1900  # 3.6 megapixels: cheap
