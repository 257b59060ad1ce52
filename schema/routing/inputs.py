"""What administrators send about routing rules, and how they narrow the list."""

from __future__ import annotations

import strawberry

from schema.base.enums import CategoryKind
from services.routing.rules import RuleDraft, RuleFilter


@strawberry.input(
    name="RoutingRuleInput",
    description="A routing rule: without `id` a new one, with `id` that rule changed. Exactly one of categoryCode "
    "and categoryKind.",
)
class RoutingRuleInput:
    agency_id: strawberry.ID = strawberry.field(description="The active agency that receives the reports.")
    id: strawberry.ID | None = strawberry.field(default=None, description="The rule to change; omit to create one.")
    category_code: str | None = strawberry.field(default=None, description="One category (the agency handles it).")
    category_kind: CategoryKind | None = strawberry.field(default=None, description="A whole kind of category.")
    ward_code: str | None = strawberry.field(
        default=None, description="A ward the agency covers; null for the city-level rule."
    )
    priority: int = strawberry.field(default=0, description="-1000 to 1000; higher wins among equally specific rules.")

    def to_draft(self) -> RuleDraft:
        return RuleDraft(
            agency_id=self.agency_id,
            id=self.id,
            category_code=self.category_code,
            category_kind=self.category_kind,
            ward_code=self.ward_code,
            priority=self.priority,
        )


@strawberry.input(name="RoutingRuleFilter", description="Conditions on routing rules, combined with AND.")
class RoutingRuleFilterInput:
    agency_id: strawberry.ID | None = strawberry.field(default=None, description="Rules sending to this agency.")
    category_code: str | None = strawberry.field(default=None, description="Rules naming this category.")
    category_kind: CategoryKind | None = strawberry.field(default=None, description="Rules naming this whole kind.")
    ward_code: str | None = strawberry.field(default=None, description="Rules for this ward.")
    city_level_only: bool = strawberry.field(default=False, description="Only the rules without a ward.")

    def to_filter(self) -> RuleFilter:
        return RuleFilter(
            agency_id=self.agency_id,
            category_code=self.category_code,
            category_kind=self.category_kind,
            ward_code=self.ward_code,
            city_level_only=self.city_level_only,
        )
