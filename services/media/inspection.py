"""Checking a photo and making what is served of it: the evidence record and a derivative without any metadata.

Decoding is bounded before it starts. From the header alone, an image is refused if decoding it would hold more than
the budget (`DECODE_BYTES_PER_PIXEL` bytes for each pixel of the pixel limit: types that cost more a pixel, such as
WebP, are allowed fewer pixels), or if its file is far too small for its canvas (a decompression bomb). What is
decoded is made small at once: a JPEG is decoded at 1/2, 1/4 or 1/8 scale (never below the display size), anything
else is reduced by whole pixels and its full-size pixels freed before the finer resampling. EXIF capture time and GPS
are copied into the media record for the console; the served derivative and thumbnail are re-encoded from pixels
only, so no EXIF, GPS, comment or profile survives.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime

import pillow_heif
from PIL import Image

from core.clock import HANOI_TIME
from core.errors import PayloadTooLarge, UnsupportedMediaType
from services.media.rules import (
    DECODE_BYTES_PER_PIXEL,
    DISPLAY_PIXELS,
    MAX_PIXELS_PER_BYTE,
    SMALL_IMAGE_PIXELS,
    THUMBNAIL_PIXELS,
)

pillow_heif.register_heif_opener()

# Pillow's format names for the content types a photo may be declared as.
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/heic": "HEIF"}
# Bytes a decode holds at its peak per pixel of the image, by type (measured with Pillow 13 and pillow-heif 1.8): the
# pixels at four bytes and their first reduction, plus the decoder's own copy for HEIC (libheif's) and WebP
# (libwebp's two canvases and the frame handed over). Transparency adds a premultiplied copy.
DECODE_COST = {"image/jpeg": 5, "image/png": 5, "image/webp": 17, "image/heic": 8}
ALPHA_COST = 4
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME, DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 306, 36867, 36881
ORIENTATION = 0x0112
# EXIF orientation -> the turn that shows the photo upright; 5 to 8 are stored a quarter turn away.
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
SIDEWAYS = {5, 6, 7, 8}
# Modes Pillow resamples as they are: anything else is converted before it is made smaller.
RESAMPLED_MODES = {"L", "LA", "RGB", "RGBA", "CMYK", "YCbCr"}


@dataclass(frozen=True)
class InspectedPhoto:
    width: int
    height: int
    captured_at: datetime | None
    latitude: float | None
    longitude: float | None
    display: bytes
    thumbnail: bytes


def inspect_photo(data: bytes, content_type: str, max_pixels: int) -> InspectedPhoto:
    """Open, check and re-encode a photo; blocking, so callers run it on the media decoder's threads."""
    try:
        with warnings.catch_warnings():
            # The pixel limit below is ours; Pillow's own warning would only duplicate it.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[content_type]])
    except Image.DecompressionBombError:
        raise _too_many_pixels(max_pixels) from None
    except (OSError, ValueError, SyntaxError):
        raise UnsupportedMediaType("This file is not a readable image.", field="file") from None
    with image:
        width, height = image.size
        _check_canvas(image, content_type, len(data), max_pixels)
        try:
            exif = image.getexif()  # a PNG's EXIF may follow its pixels: reading it decodes them
            orientation = exif.get(ORIENTATION, 1)
            pixels = _display_pixels(image, UPRIGHT.get(orientation))
        except (OSError, ValueError, SyntaxError):
            raise UnsupportedMediaType("This image is damaged and cannot be decoded.", field="file") from None
    latitude, longitude = _gps(exif)
    # Dimensions as served: a portrait photo stored sideways with an EXIF rotation is reported upright.
    if orientation in SIDEWAYS:
        width, height = height, width
    return InspectedPhoto(
        width=width,
        height=height,
        captured_at=_captured_at(exif),
        latitude=latitude,
        longitude=longitude,
        display=_encode(pixels, DISPLAY_PIXELS),
        thumbnail=_encode(pixels, THUMBNAIL_PIXELS),
    )


def _check_canvas(image: Image.Image, content_type: str, file_bytes: int, max_pixels: int) -> None:
    """Refuse, from the header alone, what would cost more to decode than the budget: more pixels than
    `max_pixels` (fewer for types that cost more a pixel), or far more pixels than such a file can hold."""
    pixels = image.width * image.height
    cost = DECODE_COST[content_type] + (ALPHA_COST if _has_alpha(image) else 0)
    limit = max_pixels * DECODE_BYTES_PER_PIXEL // cost
    if pixels > limit:
        raise _too_many_pixels(limit)
    if pixels > SMALL_IMAGE_PIXELS and pixels > file_bytes * MAX_PIXELS_PER_BYTE:
        raise UnsupportedMediaType(
            f"This image declares {pixels:,} pixels in a {file_bytes:,}-byte file: more than {MAX_PIXELS_PER_BYTE} "
            "pixels a byte is refused as a decompression bomb.",
            field="file",
            maxPixelsPerByte=MAX_PIXELS_PER_BYTE,
        )


def _display_pixels(image: Image.Image, upright: Image.Transpose | None) -> Image.Image:
    """The photo upright, at most the display size, in RGB (or RGBA), with one full-size copy of its pixels at most:
    a JPEG is decoded at a reduced scale; anything else is halved (or more) by whole pixels and the full-size
    pixels freed before the finer resampling."""
    alpha = _has_alpha(image)
    image.draft(None, (DISPLAY_PIXELS, DISPLAY_PIXELS))
    if image.mode not in RESAMPLED_MODES:
        # Resampling a palette or a one-bit image would only pick the nearest pixels: expand it first.
        image = _replaced(image, image.convert("RGBA" if alpha else "RGB"))
    factor = max(image.size) // DISPLAY_PIXELS
    if factor > 1:
        image = _replaced(image, image.reduce(factor))
    image.thumbnail((DISPLAY_PIXELS, DISPLAY_PIXELS), Image.Resampling.LANCZOS)
    if upright is not None:
        image = _replaced(image, image.transpose(upright))
    return image.convert("RGBA" if alpha else "RGB")


def _replaced(old: Image.Image, new: Image.Image) -> Image.Image:
    old.close()  # frees its pixels now rather than whenever the last reference goes
    return new


def _too_many_pixels(max_pixels: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"Images of this type may have at most {max_pixels:,} pixels.", field="file", maxPixels=max_pixels
    )


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def _encode(pixels: Image.Image, longest_side: int) -> bytes:
    """A fresh JPEG from pixels alone: nothing of the original file but what it shows."""
    copy = pixels.copy()
    copy.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
    # A new image carries no `info`: Pillow would otherwise write the original's comment back out.
    clean = Image.new("RGB", copy.size, "white")
    clean.paste(copy, mask=copy.getchannel("A") if copy.mode == "RGBA" else None)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def _captured_at(exif: Image.Exif) -> datetime | None:
    details = exif.get_ifd(EXIF_IFD)
    raw = details.get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    if not isinstance(raw, str):
        return None
    try:
        taken = datetime.strptime(raw.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = details.get(OFFSET_TIME_ORIGINAL)
    # Phones write EXIF times in local time, usually without an offset; evidence here is taken in Hanoi.
    try:
        zone = datetime.strptime(offset.strip("\x00 "), "%z").tzinfo if isinstance(offset, str) else HANOI_TIME
    except ValueError:
        zone = HANOI_TIME
    return taken.replace(tzinfo=zone).astimezone(UTC)


def _gps(exif: Image.Exif) -> tuple[float | None, float | None]:
    gps = exif.get_ifd(GPS_IFD)
    try:
        latitude = _degrees(gps[2], gps.get(1, "N"), "S")
        longitude = _degrees(gps[4], gps.get(3, "E"), "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None, None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None, None
    return latitude, longitude


def _degrees(value: tuple[float, float, float], ref: str, negative: str) -> float:
    degrees, minutes, seconds = (float(part) for part in value)
    result = degrees + minutes / 60 + seconds / 3600
    return round(-result if str(ref).strip("\x00 ").upper() == negative else result, 7)
