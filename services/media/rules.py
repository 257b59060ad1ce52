"""What evidence is accepted: the allowed types and the limits, as the services see them (built from settings)."""

from __future__ import annotations

from dataclasses import dataclass

from models.enums import MediaKind
from services.media.decoding import Decoder

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
# A decompression bomb is a small file declaring a huge canvas. Photos hold a few pixels per byte (a JPEG of pure
# black about 64), so more than this many pixels per byte of file is refused before decoding, above a size whose
# decoding is cheap whatever its file (16 MB at four bytes a pixel).
MAX_PIXELS_PER_BYTE = 200
SMALL_IMAGE_PIXELS = 4_000_000
# What one decode may hold at its peak, per pixel of the largest image allowed (`max_image_pixels`): a JPEG or PNG
# costs that much (its pixels at four bytes, Pillow stores RGB as RGBX, and their first halving); types that cost
# more a pixel are allowed fewer pixels. Display-size copies add up to about 60 MB. At most MEDIA_DECODE_WORKERS
# decodes run at once.
DECODE_BYTES_PER_PIXEL = 5


@dataclass(frozen=True)
class MediaRules:
    max_photo_bytes: int
    max_video_bytes: int
    max_image_pixels: int
    upload_expiry_seconds: int
    url_ttl_seconds: int
    # Where photos are decoded and videos blanked: its thread count bounds the memory checks take together.
    decoder: Decoder
    uploads_per_hour: int

    @property
    def largest_file_bytes(self) -> int:
        return max(self.max_photo_bytes, self.max_video_bytes)

    def max_bytes(self, kind: MediaKind) -> int:
        return self.max_photo_bytes if kind is MediaKind.PHOTO else self.max_video_bytes
