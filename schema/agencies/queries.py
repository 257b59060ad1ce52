"""Agencies, as public reference data."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.agencies.types import AgencyType
from schema.base import bounds
from schema.base.enums import AgencyKind
from services.agencies import queries as agency_queries


@strawberry.type
class Query:
    @strawberry.field(description="Agencies, by code; inactive ones only on request.")
    async def agencies(
        self,
        kind: Annotated[AgencyKind | None, strawberry.argument(description="Only this kind.")] = None,
        include_inactive: Annotated[bool, strawberry.argument(description="Also inactive agencies.")] = False,
    ) -> list[AgencyType]:
        return [AgencyType.from_model(a) for a in await agency_queries.list_agencies(kind, include_inactive)]

    @strawberry.field(description="One agency by id, or null if there is none.")
    async def agency(
        self, id: Annotated[strawberry.ID, bounds.argument("The agency's id.", bounds.ID)]
    ) -> AgencyType | None:
        found = await agency_queries.get_agency(id)
        return None if found is None else AgencyType.from_model(found)
