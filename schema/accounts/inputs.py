from __future__ import annotations

import strawberry

from schema.base.enums import Role


@strawberry.input(name="CreateStaffUserInput", description="A new password account for staff or an administrator.")
class CreateStaffUserInput:
    username: str = strawberry.field(description="3-80 characters: lowercase letters, digits, dot, dash, underscore.")
    password: str = strawberry.field(description="At least 10 characters; the person should change it on first use.")
    role: Role = strawberry.field(description="OFFICER or AGENCY_ADMIN (with agencyId), or ADMIN (without).")
    agency_id: strawberry.ID | None = strawberry.field(
        default=None, description="The agency of an officer or agency admin."
    )
    full_name: str = strawberry.field(default="", description="Name shown to colleagues.")
