"""Administration of routing rules (ADMIN). The invariants are in `services.routing.rules`; every change is audited."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base import bounds
from schema.base.info import Info
from schema.base.permissions import IsAdmin, require_principal
from schema.routing.inputs import RoutingRuleInput
from schema.routing.types import RoutingRuleType
from services.routing import rules


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Create a routing rule, or change one (with `id`) (ADMIN). Applies to the next report at once.",
    )
    async def set_routing_rule(
        self, info: Info, input: Annotated[RoutingRuleInput, strawberry.argument(description="The rule.")]
    ) -> RoutingRuleType:
        return RoutingRuleType.from_model(await rules.set_rule(require_principal(info), input.to_draft()))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Delete a routing rule (ADMIN); CONFLICT if it is the last city-level rule of its kind.",
    )
    async def delete_routing_rule(
        self, info: Info, id: Annotated[strawberry.ID, bounds.argument("The rule.", bounds.ID)]
    ) -> bool:
        return await rules.delete_rule(require_principal(info), id)
