from __future__ import annotations

from typing import Annotated, cast

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

from schema.base import bounds
from schema.base.info import Info
from schema.base.permissions import IsAuthenticated, require_principal
from schema.media.inputs import CreateMediaUploadInput
from schema.media.types import MediaType, MediaUploadType, OriginalMediaType
from services.media import originals
from services.media import upload as media


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description=(
            "Reserve an upload: returns the media id and a signed form to POST the bytes to, exact type and size. "
            "Over the size limit: PAYLOAD_TOO_LARGE; a type not accepted: UNSUPPORTED_MEDIA_TYPE; past the hourly "
            "number of uploads per person (60 by default, with uploadMedia): RATE_LIMITED (retryAfterSeconds)."
        ),
        permission_classes=[IsAuthenticated],
    )
    async def create_media_upload(
        self, info: Info, input: Annotated[CreateMediaUploadInput, bounds.bare_fields_argument("The file.")]
    ) -> MediaUploadType:
        upload = await media.create_upload(
            require_principal(info),
            info.context.storage,
            info.context.media_rules,
            input.content_type,
            input.size_bytes,
            input.sha256,
        )
        return MediaUploadType.from_upload(upload)

    @strawberry.mutation(
        description=(
            "Say the bytes are in: the server checks real size, type and content and returns the media READY; or "
            "marks it REJECTED, deletes the bytes and answers the reason's code. CONFLICT if no bytes arrived yet."
        ),
        permission_classes=[IsAuthenticated],
    )
    async def complete_media_upload(
        self, info: Info, media_id: Annotated[strawberry.ID, bounds.argument("From createMediaUpload.", bounds.ID)]
    ) -> MediaType:
        done = await media.complete_upload(
            require_principal(info), info.context.storage, info.context.media_rules, media_id
        )
        return MediaType.from_model(done)

    @strawberry.mutation(
        description=(
            "Upload a small photo in one GraphQL multipart request (send the header Apollo-Require-Preflight: true). "
            "Checked at once like completeMediaUpload; the result is READY or an error. Counts against the hourly "
            "uploads of createMediaUpload."
        ),
        permission_classes=[IsAuthenticated],
    )
    async def upload_media(
        self, info: Info, file: Annotated[Upload, strawberry.argument(description="The file, as a multipart part.")]
    ) -> MediaType:
        part = cast(UploadFile, file)  # what strawberry's ASGI view hands over for an Upload
        try:
            data = await part.read(info.context.media_rules.largest_file_bytes + 1)
        finally:
            await part.close()
        uploaded = await media.upload_direct(
            require_principal(info), info.context.storage, info.context.media_rules, part.content_type or "", data
        )
        return MediaType.from_model(uploaded)

    @strawberry.mutation(
        description=(
            "Staff of the agency handling the report, and admins: a short-lived URL of an original at full "
            "resolution with its metadata. Each call is written into the report's chain of custody "
            "(VIEWED_ORIGINAL, with who). FORBIDDEN for anyone else who may see the media; NOT_FOUND otherwise."
        ),
        permission_classes=[IsAuthenticated],
    )
    async def view_original_media(
        self, info: Info, media_id: Annotated[strawberry.ID, bounds.argument("A media item of a report.", bounds.ID)]
    ) -> OriginalMediaType:
        original = await originals.original_url(
            require_principal(info), info.context.storage, info.context.media_rules, media_id
        )
        return OriginalMediaType.from_original(original)
