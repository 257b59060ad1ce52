"""Real test files, generated: photos with and without EXIF, a decompression bomb, videos, and impostors."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from datetime import UTC, datetime
from fractions import Fraction
from functools import cache

import pillow_heif
from PIL import Image

pillow_heif.register_heif_opener()

# Hoàn Kiếm Lake, as EXIF writes it: degrees, minutes, seconds.
LAKE_LATITUDE, LAKE_LONGITUDE = 21.028511, 105.852400


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 4)
    return Fraction(degrees), Fraction(minutes), Fraction(seconds).limit_denominator(10000)


def photo(
    fmt: str = "JPEG",
    size: tuple[int, int] = (640, 480),
    taken: datetime | None = None,
    gps: tuple[float, float] | None = None,
    comment: bytes | None = None,
    orientation: int | None = None,
) -> bytes:
    """A photo in `fmt`, with EXIF capture time and GPS when asked, and a JPEG comment."""
    image = Image.new("RGB", size, (200, 40, 40))
    for x in range(0, size[0], 16):  # some structure, so the encoder has something to do
        image.paste((40, 40, 200), (x, 0, x + 8, size[1]))
    exif = Image.Exif()
    if taken is not None:
        exif.get_ifd(0x8769)[36867] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if gps is not None:
        exif.get_ifd(0x8825).update({1: "N", 2: _dms(gps[0]), 3: "E", 4: _dms(gps[1])})
    if orientation is not None:
        exif[0x0112] = orientation
    out = io.BytesIO()
    options: dict[str, object] = {"exif": exif.tobytes()} if len(exif) or taken or gps else {}
    if comment is not None:
        options["comment"] = comment
    image.save(out, format=fmt, **options)
    return out.getvalue()


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A tiny PNG whose header declares a huge image: decoding it would take gigabytes."""
    raw = photo("PNG", size=(8, 8))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    patched = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return raw[:8] + patched + raw[8 + 25 :]


def flat_png(width: int = 6300, height: int = 6300) -> bytes:
    """One flat colour: 38 KB for 6300x6300, under the pixel limit, yet 40 million pixels to decode (finding 7)."""
    out = io.BytesIO()
    Image.new("L", (width, height)).save(out, format="PNG")
    return out.getvalue()


@cache
def large_png(width: int = 6300, height: int = 6300) -> bytes:
    """A real large photo's cost: a flat canvas with a patch of noise, so its file (1.7 MB) is big enough for its
    pixels and it must be decoded in full. Built once: encoding takes a couple of seconds."""
    image = Image.new("RGB", (width, height), (90, 120, 150))
    image.paste(Image.effect_noise((720, 720), 64).convert("RGB"), (100, 100))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body) + 8) + kind + body


def moov_with_location(latitude: float, longitude: float, shot_at: datetime) -> bytes:
    """A `moov` as phones write it: `mvhd` with the creation time, `udta` with `©xyz`, and an XMP `uuid` box."""
    seconds = int((shot_at - datetime(1904, 1, 1, tzinfo=UTC)).total_seconds())
    mvhd = box(b"mvhd", b"\x00\x00\x00\x00" + struct.pack(">II", seconds, seconds) + b"\x00" * 88)
    where = f"{latitude:+08.4f}{longitude:+09.4f}/".encode()
    udta = box(b"udta", box(b"\xa9xyz", struct.pack(">HH", len(where), 0x15C7) + where))
    trak = box(b"trak", box(b"tkhd", b"\x00" * 84) + box(b"udta", box(b"name", b"Le Thi Hoa")))
    return box(b"moov", mvhd + trak + udta) + box(b"uuid", b"\xbe\x7a" + b"\x00" * 14 + b"<x:xmpmeta>GPS</x:xmpmeta>")


def iso_media(brand: bytes, compatible: tuple[bytes, ...], payload: bytes = b"\x00" * 4096, moov: bytes = b"") -> bytes:
    ftyp = box(b"ftyp", brand + b"\x00\x00\x02\x00" + b"".join(compatible))
    return ftyp + box(b"mdat", payload) + moov


def mp4(payload_bytes: int = 4096, moov: bytes = b"") -> bytes:
    return iso_media(b"isom", (b"isom", b"iso2", b"avc1", b"mp41"), b"\x00" * payload_bytes, moov)


def mov(moov: bytes = b"") -> bytes:
    return iso_media(b"qt  ", (b"qt  ",), moov=moov)


ELF_PROGRAM = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56 + b"\x90" * 1024
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 1024
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
