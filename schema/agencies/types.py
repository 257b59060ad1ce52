from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

import strawberry

from models.agencies import Agency
from models.enums import AgencyKind
from schema.base.info import Info
from schema.base.permissions import require_principal
from schema.reference.types import CategoryType, WardType
from services.agencies import views as agency_views

if TYPE_CHECKING:
    from schema.agencies.view_types import WorkloadType
    from schema.auth.types import UserType
    from schema.reports.types import ReportConnectionType

# The staff, workload and report types are imported lazily: their modules import `schema.auth.types` and
# `schema.reports.types`, which both import this one.
VIEW_TYPES = "schema.agencies.view_types"

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

    @strawberry.field(description="Agencies directly under this one, inactive ones included, by code.")
    async def children(self, info: Info) -> list[AgencyType]:
        rows = await info.context.loaders.agencies.children.load(self._id)
        return [AgencyType.from_model(child) for child in rows]

    @strawberry.field(description="The wards and communes it covers (what ward-level routing rules may use).")
    async def wards(self, info: Info) -> list[WardType]:
        return [WardType.from_model(ward) for ward in await info.context.loaders.agencies.wards.load(self._id)]

    @strawberry.field(description="The categories it handles (what category routing rules may use).")
    async def categories(self, info: Info) -> list[CategoryType]:
        rows = await info.context.loaders.agencies.categories.load(self._id)
        return [CategoryType.from_model(category) for category in rows]

    @strawberry.field(
        description="Its officers and admins, by name. This agency's AGENCY_ADMIN and ADMINs; FORBIDDEN otherwise."
    )
    async def staff(self, info: Info) -> list[Annotated[UserType, strawberry.lazy("schema.auth.types")]] | None:
        from schema.auth.types import UserType

        rows = await info.context.loaders.agencies.staff.load((require_principal(info), self._id))
        return [UserType.from_model(user) for user in rows]

    @strawberry.field(
        description="Its open reports by status and by officer. This agency's AGENCY_ADMIN and ADMINs; FORBIDDEN "
        "otherwise."
    )
    async def workload(self, info: Info) -> Annotated[WorkloadType, strawberry.lazy(VIEW_TYPES)] | None:
        from schema.agencies.view_types import WorkloadType

        workload = await info.context.loaders.agencies.workload.load((require_principal(info), self._id))
        return WorkloadType.from_workload(workload)

    @strawberry.field(
        description="Its reports past their due time without a first decision, newest first. This agency's "
        "AGENCY_ADMIN and ADMINs; FORBIDDEN otherwise. Ask for one agency at a time: each costs its own queries."
    )
    async def overdue_reports(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description="Page size: default 20, at most 100.")] = None,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
    ) -> Annotated[ReportConnectionType, strawberry.lazy("schema.reports.types")] | None:
        from schema.reports.types import ReportConnectionType

        page = await agency_views.overdue_reports(require_principal(info), self._id, first, after)
        return ReportConnectionType.from_page(page)

    @property
    def _id(self) -> uuid.UUID:
        return uuid.UUID(self.id)

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
