"""What administrators send about an agency."""

from __future__ import annotations

from typing import Any

import strawberry

from auth.providers.zalo import ZaloApps
from schema.base import bounds
from schema.base.bounds import input_field
from schema.base.enums import AgencyKind
from services.agencies.administration import KEEP, AgencyDraft
from services.agencies.notifications import NotificationSwitches


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
    code: str | None = input_field(
        "Stable code, e.g. CA-00070: at least 2 of A-Z 0-9 . _ -.", bounds.AGENCY_CODE, default=strawberry.UNSET
    )
    name: str | None = input_field("Official name, not empty.", bounds.NAME, default=strawberry.UNSET)
    kind: AgencyKind | None = strawberry.field(default=strawberry.UNSET, description="What sort of agency.")
    parent_id: strawberry.ID | None = input_field(
        "The active agency it belongs to; null for none.", bounds.ID, default=strawberry.UNSET
    )
    ward_codes: list[str] | None = input_field(
        "The wards and communes it covers (the whole list).", bounds.WARD_CODES, default=strawberry.UNSET
    )
    category_codes: list[str] | None = input_field(
        "The active categories it handles (the whole list).", bounds.CATEGORY_CODES, default=strawberry.UNSET
    )
    active: bool | None = strawberry.field(
        default=strawberry.UNSET, description="false deactivates it (CONFLICT while routing rules name it)."
    )
    phone: str | None = input_field("Public contact phone.", bounds.PHONE, default=strawberry.UNSET)
    email: str | None = input_field("Public contact email.", bounds.EMAIL, default=strawberry.UNSET)
    address: str | None = input_field("Public address.", bounds.ADDRESS, default=strawberry.UNSET)
    zalo_oa: str | None = input_field(
        "Its own Zalo OA, by its key in the settings (e.g. `maintenance`); null for none (answers then go through "
        "the OA each report came in on). BAD_USER_INPUT (field `input.zaloOa`, reason `unknown_app`) for a key "
        "the settings do not have.",
        bounds.ZALO_OA,
        default=strawberry.UNSET,
    )

    def to_draft(self, zalo_apps: ZaloApps) -> AgencyDraft:
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
            zalo_oa=(
                KEEP
                if self.zalo_oa is strawberry.UNSET
                else None
                if self.zalo_oa is None
                else zalo_apps.stored(self.zalo_oa, field="input.zaloOa")
            ),
        )


@strawberry.input(
    name="AgencyNotificationsInput",
    description="Which Zalo notifications an agency's citizens get; a switch not sent (or null) stays as it is.",
)
class AgencyNotificationsInput:
    accepted: bool | None = strawberry.field(
        default=None, description="When the agency accepts a report for verification (an ACCEPT decision)."
    )
    transferred: bool | None = strawberry.field(
        default=None, description="When the agency transfers a report to another agency (naming it)."
    )
    decided: bool | None = strawberry.field(
        default=None, description="When the agency decides a report (REJECT, PENALIZE, RESOLVE)."
    )

    def to_switches(self) -> NotificationSwitches:
        return NotificationSwitches(accepted=self.accepted, transferred=self.transferred, decided=self.decided)
