"""Checking a photo and making what is served of it: the evidence record and a derivative without any metadata.

The pixel limit is checked from the header, before any pixel is decoded, so a small file declaring a huge image
(a decompression bomb) costs nothing. EXIF capture time and GPS are copied into the media record for the console;
the served derivative and thumbnail are re-encoded from pixels only, so no EXIF, GPS, comment or profile survives.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime

import pillow_heif
from PIL import Image, ImageOps

from core.clock import HANOI_TIME
from core.errors import PayloadTooLarge, UnsupportedMediaType
from services.media.rules import DISPLAY_PIXELS, THUMBNAIL_PIXELS

pillow_heif.register_heif_opener()

# Pillow's format names for the content types a photo may be declared as.
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/heic": "HEIF"}
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME, DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 306, 36867, 36881


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
    """Open, check and re-encode a photo; blocking, so callers run it in a worker thread."""
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
        if width * height > max_pixels:
            raise _too_many_pixels(max_pixels)
        exif = image.getexif()
        latitude, longitude = _gps(exif)
        try:
            pixels = ImageOps.exif_transpose(image).convert("RGBA" if _has_alpha(image) else "RGB")
        except (OSError, ValueError, SyntaxError):
            raise UnsupportedMediaType("This image is damaged and cannot be decoded.", field="file") from None
    # Dimensions as served: a portrait photo stored sideways with an EXIF rotation is reported upright.
    return InspectedPhoto(
        width=pixels.width,
        height=pixels.height,
        captured_at=_captured_at(exif),
        latitude=latitude,
        longitude=longitude,
        display=_encode(pixels, DISPLAY_PIXELS),
        thumbnail=_encode(pixels, THUMBNAIL_PIXELS),
    )


def _too_many_pixels(max_pixels: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"Images may have at most {max_pixels:,} pixels.", field="file", maxPixels=max_pixels)


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
