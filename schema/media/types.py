"""Evidence as the frontends see it: checked media with short-lived URLs, and where to upload new bytes."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from models.media import Media
from schema.base.enums import MediaKind, MediaStatus
from schema.base.info import Info
from schema.base.node import NodeInterface
from services.media import access as media_access
from services.media.originals import OriginalUrl
from services.media.upload import Upload


@strawberry.type(name="Media", description="A photo or video of evidence, checked before any report may use it.")
class MediaType(NodeInterface):
    id: strawberry.ID = strawberry.field(description="Opaque identifier; pass it in submitReport's mediaIds.")
    kind: MediaKind = strawberry.field(description="Photo or video.")
    status: MediaStatus = strawberry.field(description="Only READY media may be attached to a report.")
    content_type: str = strawberry.field(description="The original's type, e.g. image/jpeg or video/mp4.")
    size_bytes: int = strawberry.field(description="The original's size in bytes (as declared until checked).")
    sha256: str | None = strawberry.field(description="SHA-256 of the original, hex; null until checked.")
    width: int | None = strawberry.field(description="Photo width in pixels; null for video or until checked.")
    height: int | None = strawberry.field(description="Photo height in pixels; null for video or until checked.")
    captured_at: datetime | None = strawberry.field(description="When the photo was taken, from its EXIF; or null.")
    latitude: float | None = strawberry.field(description="Where the photo was taken, from its EXIF GPS; or null.")
    longitude: float | None = strawberry.field(description="Where the photo was taken, from its EXIF GPS; or null.")
    created_at: datetime = strawberry.field(description="When the upload was reserved.")
    model: strawberry.Private[Media]

    @strawberry.field(
        description=(
            "Short-lived signed URL of what is served: for photos a re-encoded JPEG without any metadata (no "
            "GPS), for videos the original. Null until READY. Fetch it again rather than storing it."
        )
    )
    async def url(self, info: Info) -> str | None:
        keys = media_access.served_keys(self.model)
        return await media_access.signed_url(
            info.context.storage, info.context.media_rules, keys.url_key, keys.url_type
        )

    @strawberry.field(
        description="Short-lived signed URL of a 320-pixel JPEG thumbnail; null for video or until READY."
    )
    async def thumbnail_url(self, info: Info) -> str | None:
        keys = media_access.served_keys(self.model)
        return await media_access.signed_url(
            info.context.storage, info.context.media_rules, keys.thumbnail_key, "image/jpeg"
        )

    @classmethod
    def from_model(cls, media: Media) -> MediaType:
        return cls(
            id=strawberry.ID(str(media.id)),
            kind=media.kind,
            status=media.status,
            content_type=media.content_type,
            size_bytes=media.size_bytes if media.size_bytes is not None else media.declared_size_bytes,
            sha256=media.sha256,
            width=media.width,
            height=media.height,
            captured_at=media.captured_at,
            latitude=media.gps_latitude,
            longitude=media.gps_longitude,
            created_at=media.created_at,
            model=media,
        )


@strawberry.type(
    name="OriginalMedia",
    description="An original as it was received, at full resolution with its metadata (EXIF, GPS), for staff.",
)
class OriginalMediaType:
    media: MediaType = strawberry.field(description="The media item; `sha256` is the original's, fixed at receipt.")
    url: str = strawberry.field(description="A short-lived URL of the original's bytes; fetch it again, never store.")
    expires_at: datetime = strawberry.field(description="When the URL stops working.")

    @classmethod
    def from_original(cls, original: OriginalUrl) -> OriginalMediaType:
        return cls(media=MediaType.from_model(original.media), url=original.url, expires_at=original.expires_at)


@strawberry.type(
    name="MediaUpload",
    description=(
        "Where to send a file's bytes: POST `url` as multipart/form-data with every entry of `fields` first and the "
        "file last (field name `file`), before `expiresAt`; then call completeMediaUpload."
    ),
)
class MediaUploadType:
    media: MediaType = strawberry.field(description="The reserved media item, PENDING until completed.")
    url: str = strawberry.field(description="Where to POST the form.")
    fields: JSON = strawberry.field(description="Form fields to send unchanged, as a JSON object of strings.")
    expires_at: datetime = strawberry.field(description="After this the form is refused; reserve a new upload.")

    @classmethod
    def from_upload(cls, upload: Upload) -> MediaUploadType:
        return cls(
            media=MediaType.from_model(upload.media),
            url=upload.post.url,
            fields=cast(JSON, upload.post.fields),
            expires_at=upload.post.expires_at,
        )
