from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base.enums import CategoryKind
from schema.reference.types import CategoryType, WardType
from services.reference import queries as reference


@strawberry.type
class Query:
    @strawberry.field(description="Report categories, violations first; inactive ones only on request.")
    async def categories(
        self,
        kind: Annotated[CategoryKind | None, strawberry.argument(description="Only this kind.")] = None,
        include_inactive: Annotated[bool, strawberry.argument(description="Also inactive categories.")] = False,
    ) -> list[CategoryType]:
        return [CategoryType.from_model(c) for c in await reference.list_categories(kind, include_inactive)]

    @strawberry.field(description="Hanoi's 126 wards and communes, by code.")
    async def wards(self) -> list[WardType]:
        return [WardType.from_model(w) for w in await reference.list_wards()]
