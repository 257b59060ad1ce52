"""Reading reports: one, the caller's own, and the staff's lists."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base import bounds
from schema.base.info import Info
from schema.base.pagination import AFTER, BEFORE, FIRST, LAST
from schema.base.permissions import IsAuthenticated, IsStaff, require_principal
from schema.reports.inputs import ReportFilterInput
from schema.reports.types import ReportConnectionType, ReportType
from services.reports import queries as report_queries
from services.reports import scope as report_scope
from services.reports.queries import ReportFilter


@strawberry.type
class Query:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="One report, or null if there is none or you may not see it (the two look the same).",
    )
    async def report(
        self, info: Info, id: Annotated[strawberry.ID, bounds.argument("The report's id.", bounds.ID)]
    ) -> ReportType | None:
        found = await report_scope.find_visible(require_principal(info), id)
        return None if found is None else ReportType.from_model(found)

    @strawberry.field(permission_classes=[IsAuthenticated], description="Your own reports, newest first.")
    async def my_reports(
        self,
        info: Info,
        first: Annotated[int | None, FIRST] = None,
        after: Annotated[str | None, AFTER] = None,
        last: Annotated[int | None, LAST] = None,
        before: Annotated[str | None, BEFORE] = None,
    ) -> ReportConnectionType:
        page = await report_queries.my_reports(require_principal(info), first, after, last, before)
        return await ReportConnectionType.read(info, page)

    @strawberry.field(
        permission_classes=[IsStaff],
        description="Staff: reports of your agency (admins: all), newest first, filtered.",
    )
    async def reports(
        self,
        info: Info,
        filter: Annotated[
            ReportFilterInput | None, strawberry.argument(description="Conditions; none lists all.")
        ] = None,
        first: Annotated[int | None, FIRST] = None,
        after: Annotated[str | None, AFTER] = None,
        last: Annotated[int | None, LAST] = None,
        before: Annotated[str | None, BEFORE] = None,
    ) -> ReportConnectionType:
        conditions = filter.to_filter() if filter is not None else ReportFilter()
        principal = require_principal(info)
        page = await report_queries.list_reports(principal, conditions, first, after, last=last, before=before)
        return await ReportConnectionType.read(info, page)
