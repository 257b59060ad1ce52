"""Administration (ADMIN): agencies, routing rules, service levels. The rules are in `services.agencies` and
`services.routing_rules`; every change is audited."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.agencies.admin_types import RoutingRuleType
from schema.agencies.inputs import AgencyInput, RoutingRuleInput
from schema.agencies.types import AgencyType
from schema.base.info import Info
from schema.base.permissions import IsAdmin, require_principal
from schema.reference.types import CategoryType
from services.agencies import administration as agencies
from services.routing import rules as routing_rules


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Create an agency with the wards it covers and the categories it handles (ADMIN).",
    )
    async def create_agency(
        self, info: Info, input: Annotated[AgencyInput, strawberry.argument(description="The agency.")]
    ) -> AgencyType:
        return AgencyType.from_model(await agencies.create_agency(require_principal(info), input.to_draft()))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Change an agency: only the fields sent (ADMIN). `active: false` deactivates it.",
    )
    async def update_agency(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The agency.")],
        input: Annotated[AgencyInput, strawberry.argument(description="The fields to change.")],
    ) -> AgencyType:
        return AgencyType.from_model(await agencies.update_agency(require_principal(info), id, input.to_draft()))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Create a routing rule, or change one (with `id`) (ADMIN). Applies to the next report at once.",
    )
    async def set_routing_rule(
        self, info: Info, input: Annotated[RoutingRuleInput, strawberry.argument(description="The rule.")]
    ) -> RoutingRuleType:
        return RoutingRuleType.from_model(await routing_rules.set_rule(require_principal(info), input.to_draft()))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Delete a routing rule (ADMIN); CONFLICT if it is the last city-level rule of its kind.",
    )
    async def delete_routing_rule(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The rule.")]
    ) -> bool:
        return await routing_rules.delete_rule(require_principal(info), id)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Set the hours a category allows until a first decision (ADMIN); applies to new reports.",
    )
    async def set_category_service_level(
        self,
        info: Info,
        code: Annotated[str, strawberry.argument(description="The category code.")],
        hours: Annotated[int, strawberry.argument(description="1 to 8760 hours.")],
    ) -> CategoryType:
        category = await agencies.set_category_service_level(require_principal(info), code, hours)
        return CategoryType.from_model(category)
