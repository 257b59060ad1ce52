"""Administration of categories (ADMIN): their service levels. Audited in `services.reference.categories`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base import bounds
from schema.base.info import Info
from schema.base.permissions import IsAdmin, require_principal
from schema.reference.types import CategoryType
from services.reference import categories


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Set the hours a category allows until a first decision (ADMIN); applies to new reports.",
    )
    async def set_category_service_level(
        self,
        info: Info,
        code: Annotated[str, bounds.argument("The category code.", bounds.CATEGORY_CODE)],
        hours: Annotated[int, strawberry.argument(description="1 to 8760 hours.")],
    ) -> CategoryType:
        category = await categories.set_service_level(require_principal(info), code, hours)
        return CategoryType.from_model(category)
