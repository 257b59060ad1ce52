"""What administrators send: agencies and routing rules."""

from __future__ import annotations

from typing import Any

import strawberry

from models.enums import AgencyKind, CategoryKind
from schema.agencies.types import AgencyKindEnum
from schema.reference.types import CategoryKindEnum
from services.agencies.administration import KEEP, AgencyDraft
from services.routing.rules import RuleDraft, RuleFilter

# Imported for their registration as GraphQL enums before these inputs use them.
_REGISTERED = (AgencyKindEnum, CategoryKindEnum)


def _given(value: Any) -> Any:
    """Omitted (or null, for a field that cannot be null) keeps the current value on update."""
    return KEEP if value is strawberry.UNSET or value is None else value


@strawberry.input(
    name="AgencyInput",
    description=(
        "An agency. createAgency needs code, name and kind; updateAgency changes only the fields sent "
        "(send `parentId: null` to detach it from its parent, `wardCodes: []` to clear its wards)."
    ),
)
class AgencyInput:
    code: str | None = strawberry.field(
        default=strawberry.UNSET, description="Stable code, e.g. CA-00070: A-Z 0-9 . _ -."
    )
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Official name, 1-200 characters.")
    kind: AgencyKind | None = strawberry.field(default=strawberry.UNSET, description="What sort of agency.")
    parent_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The active agency it belongs to; null for none."
    )
    ward_codes: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="The wards and communes it covers (the whole list)."
    )
    category_codes: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="The active categories it handles (the whole list)."
    )
    active: bool | None = strawberry.field(
        default=strawberry.UNSET, description="false deactivates it (CONFLICT while routing rules name it)."
    )
    phone: str | None = strawberry.field(default=strawberry.UNSET, description="Public contact phone.")
    email: str | None = strawberry.field(default=strawberry.UNSET, description="Public contact email.")
    address: str | None = strawberry.field(default=strawberry.UNSET, description="Public address.")

    def to_draft(self) -> AgencyDraft:
        ward_codes, category_codes = _given(self.ward_codes), _given(self.category_codes)
        return AgencyDraft(
            code=_given(self.code),
            name=_given(self.name),
            kind=_given(self.kind),
            parent_id=KEEP if self.parent_id is strawberry.UNSET else self.parent_id,
            ward_codes=ward_codes if ward_codes is KEEP else tuple(ward_codes),
            category_codes=category_codes if category_codes is KEEP else tuple(category_codes),
            active=_given(self.active),
            phone=_given(self.phone),
            email=_given(self.email),
            address=_given(self.address),
        )


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
