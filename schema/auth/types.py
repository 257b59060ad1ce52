from __future__ import annotations

import uuid

import strawberry

from models.enums import Role
from models.users import User
from schema.agencies.types import AgencyType
from schema.base.info import Info

RoleEnum = strawberry.enum(
    Role,
    name="Role",
    description=(
        "CITIZEN: signed in through Zalo or a phone code; OFFICER: staff of one agency; AGENCY_ADMIN: head of one "
        "agency; ADMIN: city operator."
    ),
)


@strawberry.type(name="User", description="A person who uses the system.")
class UserType:
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    role: Role = strawberry.field(description="What this user may do.")
    full_name: str = strawberry.field(description="Name, as given; may be empty for citizens.")
    agency_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The agency of an officer or agency admin; null for citizens and admins.")
    async def agency(self, info: Info) -> AgencyType | None:
        if self.agency_id is None:
            return None
        agency = await info.context.loaders.agency_by_id.load(self.agency_id)
        return None if agency is None else AgencyType.from_model(agency)

    @classmethod
    def from_model(cls, user: User) -> UserType:
        return cls(
            id=strawberry.ID(str(user.id)),
            role=user.role,
            full_name=user.full_name,
            agency_id=user.agency_id,  # type: ignore[attr-defined]
        )
