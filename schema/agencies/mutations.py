"""Administration of agencies (ADMIN). The rules are in `services.agencies.administration`; every change is audited."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.agencies.inputs import AgencyInput, AgencyNotificationsInput
from schema.agencies.types import AgencyType
from schema.base import bounds
from schema.base.info import Info
from schema.base.permissions import IsAdmin, IsAgencyAdmin, require_principal
from services.agencies import administration, notifications


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Create an agency with the wards it covers and the categories it handles (ADMIN).",
    )
    async def create_agency(
        self, info: Info, input: Annotated[AgencyInput, strawberry.argument(description="The agency.")]
    ) -> AgencyType:
        draft = input.to_draft(info.context.providers.zalo_apps)
        return AgencyType.from_model(await administration.create_agency(require_principal(info), draft))

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
        draft = input.to_draft(info.context.providers.zalo_apps)
        agency = await administration.update_agency(require_principal(info), id, draft)
        return AgencyType.from_model(agency)

    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin],
        description=(
            "Switch on or off what the citizens of an agency's reports are told on Zalo: accepted for verification, "
            "transferred, decided (AGENCY_ADMIN of that agency, or ADMIN). Applies to what is queued from now on. "
            "NOT_FOUND for an unknown agency, FORBIDDEN for another agency's admin, BAD_USER_INPUT when no switch "
            "is sent."
        ),
    )
    async def set_agency_notifications(
        self,
        info: Info,
        agency_id: Annotated[strawberry.ID, bounds.argument("The agency.", bounds.ID)],
        input: Annotated[AgencyNotificationsInput, strawberry.argument(description="The switches to change.")],
    ) -> AgencyType:
        agency = await notifications.set_notifications(require_principal(info), agency_id, input.to_switches())
        return AgencyType.from_model(agency)
