"""Relay's object identification: `node(id:)` and `nodes(ids:)` refetch any record by the id a client holds."""

from __future__ import annotations

from typing import Annotated

import strawberry

from models.agencies import Agency
from models.decisions import Decision
from models.media import Media
from models.reports import Report
from schema.accounts.types import UserType
from schema.agencies.types import AgencyType
from schema.base import bounds
from schema.base.info import Info
from schema.base.node import NodeInterface
from schema.media.types import MediaType
from schema.reports.types import DecisionType, ReportType
from services.nodes.lookup import NodeRecord, find_nodes


def as_node(record: NodeRecord | None) -> NodeInterface | None:
    if record is None:
        return None
    if isinstance(record, Report):
        return ReportType.from_model(record)
    if isinstance(record, Decision):
        return DecisionType.from_model(record)
    if isinstance(record, Media):
        return MediaType.from_model(record)
    if isinstance(record, Agency):
        return AgencyType.from_model(record)
    return UserType.from_model(record)


@strawberry.type
class Query:
    @strawberry.field(
        description="Any report, decision, media item, agency or user by its id; null if there is none or you may "
        "not see it (the two look the same, as for `report`, `media` and `agency`)."
    )
    async def node(
        self, info: Info, id: Annotated[strawberry.ID, bounds.argument("The record's id.", bounds.ID)]
    ) -> NodeInterface | None:
        found = await find_nodes(info.context.principal, [id])
        return as_node(found[0])

    @strawberry.field(
        description="Records by id, in the order asked, each null if there is none or you may not see it. The "
        "query's cost counts one record per id."
    )
    async def nodes(
        self, info: Info, ids: Annotated[list[strawberry.ID], bounds.argument("The records' ids.", bounds.NODE_IDS)]
    ) -> list[NodeInterface | None]:
        return [as_node(record) for record in await find_nodes(info.context.principal, ids)]
