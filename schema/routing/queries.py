"""Routing rules (ADMIN) and the routing preview (staff)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base import bounds
from schema.base.info import Info
from schema.base.permissions import IsAdmin, IsStaff, require_principal
from schema.routing.inputs import RoutingRuleFilterInput
from schema.routing.types import RoutingPreviewType, RoutingRuleType
from services.routing import resolution, rules
from services.routing.rules import RuleFilter


@strawberry.type
class Query:
    @strawberry.field(
        permission_classes=[IsAdmin], description="Routing rules, city-level first, then by ward (ADMIN)."
    )
    async def routing_rules(
        self,
        info: Info,
        filter: Annotated[
            RoutingRuleFilterInput | None, strawberry.argument(description="Conditions; none lists all.")
        ] = None,
    ) -> list[RoutingRuleType]:
        conditions = filter.to_filter() if filter is not None else RuleFilter()
        return [RoutingRuleType.from_model(r) for r in await rules.list_rules(require_principal(info), conditions)]

    @strawberry.field(
        permission_classes=[IsStaff],
        description="Where a report of this category would be routed now, and why: give a ward or a point (staff).",
    )
    async def routing_preview(
        self,
        category_code: Annotated[str, bounds.argument("The category.", bounds.CATEGORY_CODE)],
        ward_code: Annotated[
            str | None, bounds.argument("The ward; or give a point instead.", bounds.WARD_CODE)
        ] = None,
        latitude: Annotated[float | None, strawberry.argument(description="WGS 84 latitude of a point.")] = None,
        longitude: Annotated[float | None, strawberry.argument(description="WGS 84 longitude of a point.")] = None,
    ) -> RoutingPreviewType:
        preview = await resolution.preview_route(category_code, ward_code, latitude, longitude)
        return RoutingPreviewType.from_preview(preview)
