from __future__ import annotations

import strawberry

from schema.base import bounds
from schema.base.bounds import input_field


@strawberry.input(name="CreateMediaUploadInput", description="What the client is about to upload.")
class CreateMediaUploadInput:
    content_type: str = input_field(
        "image/jpeg, image/png, image/webp, image/heic, video/mp4 or video/quicktime; checked later.",
        bounds.CONTENT_TYPE,
    )
    size_bytes: int = strawberry.field(description="Exact size of the file in bytes; the upload must match it.")
    sha256: str | None = input_field(
        "Optional SHA-256 of the file, hex; if given, the upload must match it.", bounds.SHA256, default=None
    )
