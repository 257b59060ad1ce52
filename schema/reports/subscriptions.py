"""Live reports over `graphql-transport-ws`. Who hears what is decided in `services.reports.subscriptions`."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from schema.base import bounds
from schema.base.info import Info
from schema.base.permissions import IsAuthenticated, IsStaff, require_principal
from schema.reports.types import ReportType
from services.reports import subscriptions as live


@strawberry.type
class Subscription:
    @strawberry.subscription(
        permission_classes=[IsStaff],
        description=(
            "New reports routed to an agency, submitted or transferred in (staff). Officers and agency admins get "
            "their own agency's whatever `agencyId` says; admins the agency named, or all. After a reconnect, and when "
            "the server completes this subscription (it lost the event bus for a while, or you fell 1,000 events "
            "behind), fetch what you missed with `reports(filter: { updatedSince })` and subscribe again."
        ),
    )
    async def report_submitted(
        self,
        info: Info,
        agency_id: Annotated[
            strawberry.ID | None, bounds.argument("Admins: only this agency; others: ignored.", bounds.ID)
        ] = None,
    ) -> AsyncGenerator[ReportType, None]:
        async for report in live.report_submissions(info.context.events, require_principal(info), agency_id):
            info.context.fresh_loaders()
            yield ReportType.from_model(report)

    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        description=(
            "Every change of one report (a decision, an assignment, a transfer), for its reporter, its agency's staff "
            "and admins; NOT_FOUND for anybody else. When the server completes it, refetch `report(id)` and "
            "subscribe again."
        ),
    )
    async def report_updated(
        self, info: Info, report_id: Annotated[strawberry.ID, bounds.argument("The report.", bounds.ID)]
    ) -> AsyncGenerator[ReportType, None]:
        async for report in await live.report_changes(info.context.events, require_principal(info), report_id):
            info.context.fresh_loaders()
            yield ReportType.from_model(report)
