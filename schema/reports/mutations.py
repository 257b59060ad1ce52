"""Submitting, assigning and deciding reports. The rules are in `services.reports.submission` and
`services.reports.workflow`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base import bounds
from schema.base.info import Info
from schema.base.permissions import IsAgencyAdmin, IsCitizen, IsStaff, require_principal
from schema.reports.inputs import DecisionInput, SubmitReportInput
from schema.reports.types import ReportType
from services.reports import deadlines, submission, workflow


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsCitizen],
        description=(
            "Send a report (CITIZEN). It is routed to an agency at once. Retrying with the same `idempotencyKey` "
            "returns the same report; the same key with a different report is CONFLICT. RATE_LIMITED "
            "(retryAfterSeconds) past the hourly number of reports per person (30 by default)."
        ),
    )
    async def submit_report(
        self,
        info: Info,
        input: Annotated[SubmitReportInput, bounds.bare_fields_argument("The report.")],
        idempotency_key: Annotated[
            str, bounds.argument("A fresh UUID per report, reused for its retries.", bounds.IDEMPOTENCY_KEY)
        ],
    ) -> ReportType:
        report = await submission.submit_report(
            require_principal(info),
            input.to_draft(),
            idempotency_key,
            max_age_days=info.context.report_max_age_days,
            per_hour=info.context.report_limit_per_hour,
        )
        return ReportType.from_model(report)

    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin],
        description=(
            "Assign a report to an officer of its agency, or transfer it to another active agency with a reason "
            "(AGENCY_ADMIN of the handling agency; ADMIN anywhere)."
        ),
    )
    async def assign_report(
        self,
        info: Info,
        report_id: Annotated[strawberry.ID, bounds.argument("The report.", bounds.ID)],
        agency_id: Annotated[strawberry.ID | None, bounds.argument("Transfer to this agency.", bounds.ID)] = None,
        officer_id: Annotated[
            strawberry.ID | None, bounds.argument("Assign to this officer of the agency.", bounds.ID)
        ] = None,
        reason: Annotated[str | None, bounds.argument("Why; required for a transfer.", bounds.TEXT)] = None,
    ) -> ReportType:
        report = await workflow.assign_report(require_principal(info), report_id, agency_id, officer_id, reason)
        return ReportType.from_model(report)

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
        report_id: Annotated[strawberry.ID, bounds.argument("The report.", bounds.ID)],
        input: Annotated[DecisionInput, strawberry.argument(description="The decision.")],
    ) -> ReportType:
        report = await workflow.decide_report(require_principal(info), report_id, input.to_draft())
        return ReportType.from_model(report)

    @strawberry.mutation(
        permission_classes=[IsStaff],
        description=(
            "Extend the verification deadline of an accepted report of your agency, once, for a complex case "
            "(OFFICER, AGENCY_ADMIN; Decree 61/2026, art. 21): to `days` days from acceptance (31 to 60), before the "
            "current deadline passes, with a reason that the timeline shows (DEADLINE_EXTENDED). A second extension, "
            "a report not in verification or a deadline already past is CONFLICT; a bad `days` or a missing reason "
            "BAD_USER_INPUT naming it."
        ),
    )
    async def extend_verification(
        self,
        info: Info,
        report_id: Annotated[strawberry.ID, bounds.argument("The report.", bounds.ID)],
        days: Annotated[int, strawberry.argument(description="The new length, in days from acceptance: 31 to 60.")],
        reason: Annotated[str, bounds.argument("Why verification needs longer (required).", bounds.TEXT)],
    ) -> ReportType:
        report = await deadlines.extend_verification(require_principal(info), report_id, days, reason)
        return ReportType.from_model(report)
