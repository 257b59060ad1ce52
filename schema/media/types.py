"""The media a report carries. Minimal here: the media domain owns the full type (URLs, sizes, checks)."""

from __future__ import annotations

import strawberry

from models.enums import MediaKind
from models.media import Media

MediaKindEnum = strawberry.enum(MediaKind, name="MediaKind", description="PHOTO or VIDEO.")


@strawberry.type(name="Media", description="A photo or video, checked before a report may use it.")
class MediaType:
    id: strawberry.ID = strawberry.field(description="Opaque identifier; what `submitReport` takes in `mediaIds`.")
    kind: MediaKind = strawberry.field(description="Photo or video.")
    content_type: str = strawberry.field(description="MIME type, e.g. image/jpeg.")

    @classmethod
    def from_model(cls, media: Media) -> MediaType:
        return cls(id=strawberry.ID(str(media.id)), kind=media.kind, content_type=media.content_type)
