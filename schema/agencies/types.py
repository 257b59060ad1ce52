"""Agencies as every frontend reads them, and what an agency's head sees of one: its people and its open work."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

import strawberry

from core.errors import InvalidInput
from models.agencies import Agency
from schema.base.cost import AGENCY_CHILDREN
from schema.base.enums import AgencyKind, ReportStatus
from schema.base.info import Info
from schema.base.node import NodeInterface
from schema.base.pagination import AFTER, BEFORE, FIRST, LAST
from schema.base.permissions import require_principal
from schema.reference.types import CategoryType, WardType
from services.agencies import views as agency_views
from services.agencies.views import OfficerLoad, Workload

if TYPE_CHECKING:
    from schema.accounts.types import UserType
    from schema.reports.types import ReportConnectionType

# Users and reports point at their agency, so the agency reaches them lazily: the one way this cycle is broken. Each
# annotation names its type through these, and the code that builds one imports it where it does.
USERS = strawberry.lazy("schema.accounts.types")
REPORTS = strawberry.lazy("schema.reports.types")


@strawberry.type(name="StatusCount", description="How many open reports are in one status.")
class StatusCountType:
    status: ReportStatus = strawberry.field(description="The status.")
    count: int = strawberry.field(description="How many reports.")


@strawberry.type(name="OfficerWorkload", description="The open reports of one officer, or of nobody yet.")
class OfficerWorkloadType:
    officer: Annotated[UserType, USERS] | None = strawberry.field(
        description="The officer; null for reports nobody has yet."
    )
    open: int = strawberry.field(description="Open reports assigned to them.")
    overdue: int = strawberry.field(description="Of those, past their due time without a first decision.")

    @classmethod
    def from_load(cls, load: OfficerLoad) -> OfficerWorkloadType:
        from schema.accounts.types import UserType

        officer = None if load.officer is None else UserType.from_model(load.officer)
        return cls(officer=officer, open=load.open, overdue=load.overdue)


@strawberry.type(
    name="AgencyWorkload",
    description="Open reports of an agency (ROUTED, ASSIGNED, ACCEPTED: not finally decided), counted now.",
)
class WorkloadType:
    open: int = strawberry.field(description="All open reports.")
    overdue: int = strawberry.field(description="Open reports past their due time without a first decision.")
    by_status: list[StatusCountType] = strawberry.field(description="Open reports per status (zeros left out).")
    by_officer: list[OfficerWorkloadType] = strawberry.field(
        description="Open reports per assigned officer, busiest first; unassigned ones last with `officer: null`."
    )

    @classmethod
    def from_workload(cls, workload: Workload) -> WorkloadType:
        return cls(
            open=workload.open,
            overdue=workload.overdue,
            by_status=[StatusCountType(status=status, count=count) for status, count in workload.by_status],
            by_officer=[OfficerWorkloadType.from_load(load) for load in workload.by_officer],
        )


@strawberry.type(
    name="AgencyNotifications",
    description="Which Zalo notifications the citizens of this agency's reports get (`setAgencyNotifications`).",
)
class AgencyNotificationsType:
    accepted: bool = strawberry.field(description="When a report is accepted for verification.")
    transferred: bool = strawberry.field(description="When a report is transferred to another agency.")
    decided: bool = strawberry.field(description="When a report is decided (rejected, penalised, resolved).")


@strawberry.type(name="Agency", description="A body that receives reports, verifies them and answers the citizen.")
class AgencyType(NodeInterface):
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    code: str = strawberry.field(description="Stable code, e.g. PC08 or CA-00070.")
    name: str = strawberry.field(description="Official Vietnamese name.")
    kind: AgencyKind = strawberry.field(description="What sort of agency this is.")
    active: bool = strawberry.field(description="Inactive agencies receive no new reports.")
    phone: str = strawberry.field(description="Public contact phone, or empty.")
    email: str = strawberry.field(description="Public contact email, or empty.")
    address: str = strawberry.field(description="Public address, or empty.")
    notifications: AgencyNotificationsType = strawberry.field(
        description="Which Zalo notifications the citizens of its reports get."
    )
    parent_id: strawberry.Private[uuid.UUID | None]
    stored_zalo_oa: strawberry.Private[str | None]

    @strawberry.field(
        description="The key of its own Zalo OA (e.g. `maintenance`), through which it answers citizens who follow "
        "it; null when it answers through the OA each report came in on."
    )
    def zalo_oa(self, info: Info) -> str | None:
        return None if self.stored_zalo_oa is None else info.context.providers.zalo_apps.key_of(self.stored_zalo_oa)

    @strawberry.field(description="The agency this one belongs to, if any.")
    async def parent(self, info: Info) -> AgencyType | None:
        if self.parent_id is None:
            return None
        parent = await info.context.loaders.agency_by_id.load(self.parent_id)
        return None if parent is None else AgencyType.from_model(parent)

    @strawberry.field(
        description="Agencies directly under this one, inactive ones included, by code: the first `first` of them."
    )
    async def children(
        self,
        info: Info,
        first: Annotated[
            int | None,
            strawberry.argument(
                description=f"How many: 1 to {AGENCY_CHILDREN.maximum}, default {AGENCY_CHILDREN.default}. The "
                "query's cost counts this many."
            ),
        ] = None,
    ) -> list[AgencyType]:
        if first is not None and not 1 <= first <= AGENCY_CHILDREN.maximum:
            raise InvalidInput(f"`first` must be between 1 and {AGENCY_CHILDREN.maximum}.", field="first")
        rows = await info.context.loaders.agencies.children.load(self._id)
        return [AgencyType.from_model(child) for child in rows[: first or AGENCY_CHILDREN.default]]

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
    async def staff(self, info: Info) -> list[Annotated[UserType, USERS]] | None:
        from schema.accounts.types import UserType

        rows = await info.context.loaders.agencies.staff.load((require_principal(info), self._id))
        return [UserType.from_model(user) for user in rows]

    @strawberry.field(
        description="Its open reports by status and by officer. This agency's AGENCY_ADMIN and ADMINs; FORBIDDEN "
        "otherwise."
    )
    async def workload(self, info: Info) -> WorkloadType | None:
        workload = await info.context.loaders.agencies.workload.load((require_principal(info), self._id))
        return WorkloadType.from_workload(workload)

    @strawberry.field(
        description="Its reports past their due time without a first decision, newest first. This agency's "
        "AGENCY_ADMIN and ADMINs; FORBIDDEN otherwise. Ask for one agency at a time: each costs its own queries."
    )
    async def overdue_reports(
        self,
        info: Info,
        first: Annotated[int | None, FIRST] = None,
        after: Annotated[str | None, AFTER] = None,
        last: Annotated[int | None, LAST] = None,
        before: Annotated[str | None, BEFORE] = None,
    ) -> Annotated[ReportConnectionType, REPORTS] | None:
        from schema.reports.types import ReportConnectionType

        principal = require_principal(info)
        page = await agency_views.overdue_reports(principal, self._id, first, after, last, before)
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
            notifications=AgencyNotificationsType(
                accepted=agency.notify_accepted, transferred=agency.notify_transferred, decided=agency.notify_decided
            ),
            parent_id=agency.parent_id,
            stored_zalo_oa=agency.zalo_oa,
        )
