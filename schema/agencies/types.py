from __future__ import annotations

import uuid

import strawberry

from models.agencies import Agency
from models.enums import AgencyKind
from schema.base.info import Info

AgencyKindEnum = strawberry.enum(
    AgencyKind,
    name="AgencyKind",
    description=(
        "TRAFFIC_POLICE: the city traffic police and its teams; WARD_POLICE: police of a ward or commune; "
        "INFRASTRUCTURE: road-infrastructure maintenance; WARD_COMMITTEE: a ward's people's committee; OTHER."
    ),
)


@strawberry.type(name="Agency", description="A body that receives reports, verifies them and answers the citizen.")
class AgencyType:
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    code: str = strawberry.field(description="Stable code, e.g. PC08 or CA-00070.")
    name: str = strawberry.field(description="Official Vietnamese name.")
    kind: AgencyKind = strawberry.field(description="What sort of agency this is.")
    active: bool = strawberry.field(description="Inactive agencies receive no new reports.")
    phone: str = strawberry.field(description="Public contact phone, or empty.")
    email: str = strawberry.field(description="Public contact email, or empty.")
    address: str = strawberry.field(description="Public address, or empty.")
    parent_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The agency this one belongs to, if any.")
    async def parent(self, info: Info) -> AgencyType | None:
        if self.parent_id is None:
            return None
        parent = await info.context.loaders.agency_by_id.load(self.parent_id)
        return None if parent is None else AgencyType.from_model(parent)

    @classmethod
    def from_model(cls, agency: Agency) -> AgencyType:
        return cls(
            id=strawberry.ID(str(agency.id)),
            code=agency.code,
            name=agency.name,
            kind=agency.kind,
            active=agency.active,
            phone=agency.phone,
            email=agency.email,
            address=agency.address,
            parent_id=agency.parent_id,  # type: ignore[attr-defined]
        )
