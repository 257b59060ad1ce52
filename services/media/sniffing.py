"""Telling a file's real type from its first bytes, whatever name or type it was sent with.

Only the allowed evidence formats are recognised; markup (SVG, HTML, XML) and programs are named so that the refusal
says what the file really is. HEIC, MP4 and MOV are all ISO base media files, told apart by their `ftyp` brands.
"""

from __future__ import annotations

from core.errors import UnsupportedMediaType

HEAD_BYTES = 64

_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_MOV_BRANDS = {b"qt  "}
_MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"mp4v", b"dash"}
_MOV_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"pnot", b"skip"}

_PROGRAMS = ((b"MZ", "a Windows program"), (b"\x7fELF", "a Linux program"), (b"#!", "a script"))
_PROGRAMS_MACHO = {
    b"\xcf\xfa\xed\xfe",
    b"\xce\xfa\xed\xfe",
    b"\xfe\xed\xfa\xcf",
    b"\xfe\xed\xfa\xce",
    b"\xca\xfe\xba\xbe",
}
_MARKUP = (b"<svg", b"<?xml", b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<iframe", b"<!--")


def sniff(head: bytes) -> str:
    """The real content type of a file starting with `head`, or UnsupportedMediaType naming what it is instead."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return _iso_media_type(head)
    if head[4:8] in _MOV_ATOMS:
        return "video/quicktime"
    raise UnsupportedMediaType(f"This file is {_describe(head)}, not a photo or video.", field="file")


def _iso_media_type(head: bytes) -> str:
    box_size = int.from_bytes(head[0:4], "big")
    end = min(max(box_size, 16), len(head))
    brands = {head[8:12]} | {head[i : i + 4] for i in range(16, end - 3, 4)}
    if brands & _HEIC_BRANDS and head[8:12] not in _MP4_BRANDS | _MOV_BRANDS:
        return "image/heic"
    if head[8:12] in _MOV_BRANDS:
        return "video/quicktime"
    if brands & _MP4_BRANDS:
        return "video/mp4"
    raise UnsupportedMediaType("This ISO media file is neither HEIC, MP4 nor MOV.", field="file")


def _describe(head: bytes) -> str:
    for magic, what in _PROGRAMS:
        if head.startswith(magic):
            return what
    if head[:4] in _PROGRAMS_MACHO:
        return "a macOS program"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if any(text.startswith(tag) for tag in _MARKUP):
        return "an SVG, HTML or XML document"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if head.startswith((b"PK\x03\x04", b"Rar!", b"\x1f\x8b", b"7z\xbc\xaf")):
        return "an archive"
    return "of an unknown type"
