"""Deciding a report. The state machine is `services.workflow`; this only translates."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base.info import Info
from schema.base.permissions import IsStaff, require_principal
from schema.decisions.inputs import DecisionInput
from schema.reports.types import ReportType
from services.reports import workflow


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsStaff],
        description=(
            "Decide a report of your agency (OFFICER, AGENCY_ADMIN). ACCEPT or REJECT an open report; PENALIZE or "
            "RESOLVE an accepted one; RESOLVE an open infrastructure report directly. Illegal moves are CONFLICT; "
            "missing answers, fines or legal basis are BAD_USER_INPUT naming the field."
        ),
    )
    async def decide_report(
        self,
        info: Info,
        report_id: Annotated[strawberry.ID, strawberry.argument(description="The report.")],
        input: Annotated[DecisionInput, strawberry.argument(description="The decision.")],
    ) -> ReportType:
        report = await workflow.decide_report(require_principal(info), report_id, input.to_draft())
        return ReportType.from_model(report)
