from __future__ import annotations

import strawberry

from schema.base import bounds
from schema.base.bounds import input_field
from schema.base.enums import Role


@strawberry.input(name="CreateStaffUserInput", description="A new password account for staff or an administrator.")
class CreateStaffUserInput:
    username: str = input_field(
        "At least 3 characters: lowercase letters, digits, dot, dash, underscore.", bounds.USERNAME
    )
    password: str = input_field("At least 10 characters; the person should change it on first use.", bounds.PASSWORD)
    role: Role = strawberry.field(description="OFFICER or AGENCY_ADMIN (with agencyId), or ADMIN (without).")
    agency_id: strawberry.ID | None = input_field("The agency of an officer or agency admin.", bounds.ID, default=None)
    full_name: str = input_field("Name shown to colleagues.", bounds.NAME, default="")
