"""What administrators send about routing rules, and how they narrow the list."""

from __future__ import annotations

import strawberry

from schema.base import bounds
from schema.base.bounds import input_field
from schema.base.enums import CategoryKind
from services.routing.rules import RuleDraft, RuleFilter


@strawberry.input(
    name="RoutingRuleInput",
    description="A routing rule: without `id` a new one, with `id` that rule changed. Exactly one of categoryCode "
    "and categoryKind.",
)
class RoutingRuleInput:
    agency_id: strawberry.ID = input_field("The active agency that receives the reports.", bounds.ID)
    id: strawberry.ID | None = input_field("The rule to change; omit to create one.", bounds.ID, default=None)
    category_code: str | None = input_field("One category (the agency handles it).", bounds.CATEGORY_CODE, default=None)
    category_kind: CategoryKind | None = strawberry.field(default=None, description="A whole kind of category.")
    ward_code: str | None = input_field(
        "A ward the agency covers; null for the city-level rule.", bounds.WARD_CODE, default=None
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
    agency_id: strawberry.ID | None = input_field("Rules sending to this agency.", bounds.ID, default=None)
    category_code: str | None = input_field("Rules naming this category.", bounds.CATEGORY_CODE, default=None)
    category_kind: CategoryKind | None = strawberry.field(default=None, description="Rules naming this whole kind.")
    ward_code: str | None = input_field("Rules for this ward.", bounds.WARD_CODE, default=None)
    city_level_only: bool = strawberry.field(default=False, description="Only the rules without a ward.")

    def to_filter(self) -> RuleFilter:
        return RuleFilter(
            agency_id=self.agency_id,
            category_code=self.category_code,
            category_kind=self.category_kind,
            ward_code=self.ward_code,
            city_level_only=self.city_level_only,
        )
