"""The GraphQL contract: each domain's Query, Mutation and Subscription merged into one schema."""

from __future__ import annotations

import strawberry
from graphql.error import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from schema.agencies.queries import Query as AgencyQuery
from schema.auth.queries import Query as AuthQuery
from schema.base.errors import ErrorCodes
from schema.base.scalars import SCALAR_MAP
from schema.decisions.mutations import Mutation as DecisionMutation
from schema.media.mutations import Mutation as MediaMutation
from schema.media.queries import Query as MediaQuery
from schema.reference.queries import Query as ReferenceQuery
from schema.reports.mutations import Mutation as ReportMutation
from schema.reports.queries import Query as ReportQuery
from schema.statistics.queries import Query as StatisticsQuery

Query = merge_types("Query", (AuthQuery, ReferenceQuery, AgencyQuery, MediaQuery, ReportQuery, StatisticsQuery))
Mutation = merge_types("Mutation", (MediaMutation, ReportMutation, DecisionMutation))


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Expected errors (bad input, domain refusals) are the client's business; only bugs are logged, by
        `ErrorCodes`, with the request id."""


def build_schema() -> Schema:
    return Schema(
        query=Query, mutation=Mutation, extensions=[ErrorCodes], config=StrawberryConfig(scalar_map=SCALAR_MAP)
    )


schema = build_schema()

__all__ = ["Schema", "build_schema", "schema"]
