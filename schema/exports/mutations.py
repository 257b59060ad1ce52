"""`exportReports` and `exportStatistics`: each checks the caller and the filter, takes the export rate limit and
returns a signed link; the file is made when the link is fetched (`services.exports`)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base.downloads import DownloadType, download_link
from schema.base.enums import ExportFormat, StatisticsInterval
from schema.base.info import Info
from schema.base.permissions import IsStaff, require_principal
from schema.reports.inputs import ReportFilterInput
from schema.statistics.inputs import StatisticsFilterInput
from services.exports import reports as report_exports
from services.exports import statistics as statistics_exports
from services.reports.queries import ReportFilter
from services.statistics.figures import StatisticsFilter

FORMAT = strawberry.argument(description="CSV (UTF-8 with BOM, opens in Excel) or XLSX.")


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsStaff],
        description=(
            "Staff: a link to the `reports` list with this filter as a file, every row of it newest first (the same "
            "reports the console lists; at most EXPORT_MAX_ROWS, after which a last row says the file was cut). "
            "Dates are Hanoi time; the reporter's name and phone only for the handling agency's staff and admins. "
            "The list is read when the link is fetched, as the caller may see it then. RATE_LIMITED "
            "(retryAfterSeconds) past EXPORT_LIMIT_PER_HOUR exports an hour."
        ),
    )
    async def export_reports(
        self,
        info: Info,
        filter: Annotated[
            ReportFilterInput | None, strawberry.argument(description="As for `reports`; none exports all.")
        ] = None,
        format: Annotated[ExportFormat, FORMAT] = ExportFormat.CSV,
    ) -> DownloadType:
        wanted = filter.to_filter() if filter is not None else ReportFilter()
        params = await report_exports.start(require_principal(info), wanted, format, info.context.export_rules)
        return download_link(info, report_exports.KIND, params)

    @strawberry.mutation(
        permission_classes=[IsStaff],
        description=(
            "Staff: a link to the figures `statistics` answers with this filter (totals, the five breakdowns and "
            "the series) as one table, a row per figure. Agency staff get their own agency's (FORBIDDEN if they "
            "name another). RATE_LIMITED past EXPORT_LIMIT_PER_HOUR exports an hour (shared with `exportReports`)."
        ),
    )
    async def export_statistics(
        self,
        info: Info,
        filter: Annotated[
            StatisticsFilterInput | None, strawberry.argument(description="As for `statistics`; none counts all.")
        ] = None,
        format: Annotated[ExportFormat, FORMAT] = ExportFormat.CSV,
        interval: Annotated[
            StatisticsInterval, strawberry.argument(description="The series' buckets: DAY, WEEK or MONTH.")
        ] = StatisticsInterval.MONTH,
    ) -> DownloadType:
        wanted = filter.to_filter() if filter is not None else StatisticsFilter()
        principal = require_principal(info)
        rules = info.context.export_rules
        params = await statistics_exports.start(principal, wanted, format, interval, rules)
        return download_link(info, statistics_exports.KIND, params)
