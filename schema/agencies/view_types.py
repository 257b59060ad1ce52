"""What an agency's admin sees of their agency: its people and its open work."""

from __future__ import annotations

import strawberry

from models.enums import ReportStatus
from schema.auth.types import UserType
from schema.reports.types import ReportStatusEnum
from services.agencies.views import OfficerLoad, Workload

# Imported for their registration as GraphQL enums before these types use them.
_REGISTERED = ReportStatusEnum


@strawberry.type(name="StatusCount", description="How many open reports are in one status.")
class StatusCountType:
    status: ReportStatus = strawberry.field(description="The status.")
    count: int = strawberry.field(description="How many reports.")


@strawberry.type(name="OfficerWorkload", description="The open reports of one officer, or of nobody yet.")
class OfficerWorkloadType:
    officer: UserType | None = strawberry.field(description="The officer; null for reports nobody has yet.")
    open: int = strawberry.field(description="Open reports assigned to them.")
    overdue: int = strawberry.field(description="Of those, past their due time without a first decision.")

    @classmethod
    def from_load(cls, load: OfficerLoad) -> OfficerWorkloadType:
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
