"""What evidence is accepted: the allowed types and the limits, as the services see them (built from settings)."""

from __future__ import annotations

from dataclasses import dataclass

from models.enums import MediaKind

# Declared content type -> kind. Anything else is refused before a single byte is stored.
ALLOWED_TYPES: dict[str, MediaKind] = {
    "image/jpeg": MediaKind.PHOTO,
    "image/png": MediaKind.PHOTO,
    "image/webp": MediaKind.PHOTO,
    "image/heic": MediaKind.PHOTO,
    "video/mp4": MediaKind.VIDEO,
    "video/quicktime": MediaKind.VIDEO,
}
DERIVATIVE_TYPE = "image/jpeg"
THUMBNAIL_PIXELS = 320
DISPLAY_PIXELS = 2560


@dataclass(frozen=True)
class MediaRules:
    max_photo_bytes: int
    max_video_bytes: int
    max_image_pixels: int
    upload_expiry_seconds: int
    url_ttl_seconds: int

    @property
    def largest_file_bytes(self) -> int:
        return max(self.max_photo_bytes, self.max_video_bytes)

    def max_bytes(self, kind: MediaKind) -> int:
        return self.max_photo_bytes if kind is MediaKind.PHOTO else self.max_video_bytes
