"""`statistics`: one service call; the role rules live in `services.statistics.figures`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base.info import Info
from schema.statistics.inputs import StatisticsFilterInput
from schema.statistics.types import StatisticsType
from services.statistics import figures as statistics
from services.statistics.figures import StatisticsFilter


@strawberry.type
class Query:
    @strawberry.field(
        description="Report figures: totals, breakdowns, a time series and response times. Open to everyone; agency "
        "staff get their own agency's (FORBIDDEN if they name another), admins the city's, citizens and anonymous "
        "callers the city's public figures. A malformed agency id or `from` after `to` is BAD_USER_INPUT."
    )
    async def statistics(
        self,
        info: Info,
        filter: Annotated[
            StatisticsFilterInput | None, strawberry.argument(description="Which reports; none counts all.")
        ] = None,
    ) -> StatisticsType:
        wanted = filter.to_filter() if filter is not None else StatisticsFilter()
        return StatisticsType.from_summary(await statistics.summarize(info.context.principal, wanted))
