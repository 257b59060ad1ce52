"""Administration of agencies (ADMIN). The rules are in `services.agencies.administration`; every change is audited."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.agencies.inputs import AgencyInput
from schema.agencies.types import AgencyType
from schema.base import bounds
from schema.base.info import Info
from schema.base.permissions import IsAdmin, require_principal
from services.agencies import administration


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Create an agency with the wards it covers and the categories it handles (ADMIN).",
    )
    async def create_agency(
        self, info: Info, input: Annotated[AgencyInput, strawberry.argument(description="The agency.")]
    ) -> AgencyType:
        return AgencyType.from_model(await administration.create_agency(require_principal(info), input.to_draft()))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Change an agency: only the fields sent (ADMIN). `active: false` deactivates it.",
    )
    async def update_agency(
        self,
        info: Info,
        id: Annotated[strawberry.ID, bounds.argument("The agency.", bounds.ID)],
        input: Annotated[AgencyInput, strawberry.argument(description="The fields to change.")],
    ) -> AgencyType:
        agency = await administration.update_agency(require_principal(info), id, input.to_draft())
        return AgencyType.from_model(agency)
