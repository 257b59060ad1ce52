"""What administrators send about an agency."""

from __future__ import annotations

from typing import Any

import strawberry

from schema.base.enums import AgencyKind
from services.agencies.administration import KEEP, AgencyDraft


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
