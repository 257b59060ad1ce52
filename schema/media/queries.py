from __future__ import annotations

from typing import Annotated

import strawberry

from core.ids import parse_uuid
from schema.base import bounds
from schema.base.info import Info
from schema.base.permissions import IsAuthenticated
from schema.media.types import MediaType


@strawberry.type
class Query:
    @strawberry.field(
        description="One media item, with fresh URLs; null if there is none or you may not see it.",
        permission_classes=[IsAuthenticated],
    )
    async def media(
        self, info: Info, id: Annotated[strawberry.ID, bounds.argument("The media item's id.", bounds.ID)]
    ) -> MediaType | None:
        media_id = parse_uuid(id)
        if media_id is None:
            return None
        found = await info.context.loaders.media_by_id.load((info.context.principal, media_id))
        return None if found is None else MediaType.from_model(found)
