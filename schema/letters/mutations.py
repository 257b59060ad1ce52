"""Asking for the written answer. The rules are in `services.letters.answers`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base import bounds
from schema.base.info import Info
from schema.base.permissions import IsCitizen, require_principal
from schema.reports.types import ReportType
from services.letters import answers


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsCitizen],
        description=(
            "Ask for the result of your report in writing (CITIZEN, the report's author; Decree 61/2026). Asking "
            "again changes nothing. `writtenAnswer` then shows the request; its PDF letter can be downloaded once "
            "the report is decided, at once if it already is. Another person's report is NOT_FOUND."
        ),
    )
    async def request_written_answer(
        self, info: Info, report_id: Annotated[strawberry.ID, bounds.argument("Your report.", bounds.ID)]
    ) -> ReportType:
        report = await answers.request_written_answer(require_principal(info), report_id)
        return ReportType.from_model(report)
