"""Recording a report for a provider. The rules are in `services.intake.recording`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base import bounds
from schema.base.info import Info
from schema.base.permissions import IsAgencyStaff, require_principal
from schema.intake.inputs import RecordReportInput
from schema.reports.types import ReportType
from services.intake import recording


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsAgencyStaff],
        description=(
            "Record a report that reached your agency by its hotline, in person or by post (OFFICER, AGENCY_ADMIN). "
            "It is checked, routed, numbered and timed exactly like submitReport, and goes where the routing rules "
            "send it (possibly another agency, which alone then reads the provider). Retrying with the same "
            "`idempotencyKey` returns the same report; the same key with a different report is CONFLICT. A channel "
            "other than HOTLINE, WALK_IN or POST, a phone that is not a Vietnamese mobile number, or evidence that "
            "is not your own checked upload: BAD_USER_INPUT naming the field."
        ),
    )
    async def record_report(
        self,
        info: Info,
        input: Annotated[RecordReportInput, bounds.bare_fields_argument("The report as the provider gave it.")],
        idempotency_key: Annotated[
            str, bounds.argument("A fresh UUID per report, reused for its retries.", bounds.IDEMPOTENCY_KEY)
        ],
    ) -> ReportType:
        report = await recording.record_report(
            require_principal(info),
            input.to_draft(),
            input.to_provider(),
            idempotency_key,
            max_age_days=info.context.report_max_age_days,
        )
        return ReportType.from_model(report)
