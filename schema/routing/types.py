"""Routing rules and the routing preview, as administrators and staff read them."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from models.routing import RoutingRule
from schema.agencies.types import AgencyType
from schema.base.enums import CategoryKind
from schema.base.info import Info
from schema.reference.types import CategoryType, WardType
from services.routing.resolution import RoutePreview, specificity


@strawberry.type(
    name="RoutingRule",
    description="Sends reports of a category (or a whole kind) in a ward (or anywhere: the city level) to an agency.",
)
class RoutingRuleType:
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    category_code: str | None = strawberry.field(description="The category, or null for a rule on a whole kind.")
    category_kind: CategoryKind | None = strawberry.field(description="The kind, for a rule on a whole kind.")
    ward_code: str | None = strawberry.field(description="The ward, or null for the city-level rule.")
    priority: int = strawberry.field(description="Breaks ties between equally specific rules; higher wins.")
    specificity: int = strawberry.field(
        description="0 category in ward, 1 category city-wide, 2 kind in ward, 3 kind city-wide; lower wins first."
    )
    updated_at: datetime = strawberry.field(description="When it last changed.")
    agency_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Where it sends reports.")
    async def agency(self, info: Info) -> AgencyType:
        agency = await info.context.loaders.agency_by_id.load(self.agency_id)
        assert agency is not None, "a rule's agency is a foreign key"
        return AgencyType.from_model(agency)

    @strawberry.field(description="The category, for a rule on one category.")
    async def category(self, info: Info) -> CategoryType | None:
        if self.category_code is None:
            return None
        category = await info.context.loaders.reports.category_by_code.load(self.category_code)
        return None if category is None else CategoryType.from_model(category)

    @strawberry.field(description="The ward, for a ward-level rule.")
    async def ward(self, info: Info) -> WardType | None:
        if self.ward_code is None:
            return None
        ward = await info.context.loaders.reports.ward_by_code.load(self.ward_code)
        return None if ward is None else WardType.from_model(ward)

    @classmethod
    def from_model(cls, rule: RoutingRule) -> RoutingRuleType:
        return cls(
            id=strawberry.ID(str(rule.id)),
            category_code=rule.category_id,
            category_kind=rule.category_kind,
            ward_code=rule.ward_id,
            priority=rule.priority,
            specificity=specificity(rule),
            updated_at=rule.updated_at,
            agency_id=rule.agency_id,
        )


@strawberry.type(name="RoutingPreview", description="Where a report would be routed now, and why.")
class RoutingPreviewType:
    agency: AgencyType | None = strawberry.field(description="The agency; null if no active agency would take it.")
    rule: RoutingRuleType | None = strawberry.field(description="The rule that matched.")
    reason: str = strawberry.field(description="Why, in words (the same text a report's ROUTED event carries).")
    ward_code: strawberry.Private[str]

    @strawberry.field(description="The ward used: the one given, or the one whose centre is nearest the point.")
    async def ward(self, info: Info) -> WardType:
        ward = await info.context.loaders.reports.ward_by_code.load(self.ward_code)
        assert ward is not None, "the preview checked the ward"
        return WardType.from_model(ward)

    @classmethod
    def from_preview(cls, preview: RoutePreview) -> RoutingPreviewType:
        route = preview.route
        return cls(
            agency=None if route is None else AgencyType.from_model(route.agency),
            rule=None if route is None else RoutingRuleType.from_model(route.rule),
            reason=preview.reason,
            ward_code=preview.ward_code,
        )
