from __future__ import annotations

import strawberry


@strawberry.input(name="CreateMediaUploadInput", description="What the client is about to upload.")
class CreateMediaUploadInput:
    content_type: str = strawberry.field(
        description="image/jpeg, image/png, image/webp, image/heic, video/mp4 or video/quicktime; checked later."
    )
    size_bytes: int = strawberry.field(description="Exact size of the file in bytes; the upload must match it.")
    sha256: str | None = strawberry.field(
        default=None, description="Optional SHA-256 of the file, hex; if given, the upload must match it."
    )
