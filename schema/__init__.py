"""The GraphQL contract: each domain's Query, Mutation and Subscription merged into one schema."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import strawberry
from graphql.error import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from schema.accounts.mutations import Mutation as AccountMutation
from schema.accounts.queries import Query as AccountQuery
from schema.agencies.mutations import Mutation as AgencyMutation
from schema.agencies.queries import Query as AgencyQuery
from schema.audit.queries import Query as AuditQuery
from schema.base.boundary import InputBoundary
from schema.base.documents import CachedDocuments, Documents
from schema.base.errors import ErrorCodes
from schema.base.limits import QueryLimiter, QueryLimits
from schema.base.scalars import SCALAR_MAP
from schema.base.suggestions import HideSuggestions
from schema.dossiers.mutations import Mutation as DossierMutation
from schema.exports.mutations import Mutation as ExportMutation
from schema.handoff.mutations import Mutation as HandoffMutation
from schema.hotspots.queries import Query as HotspotQuery
from schema.intake.mutations import Mutation as IntakeMutation
from schema.letters.mutations import Mutation as LetterMutation
from schema.media.mutations import Mutation as MediaMutation
from schema.media.queries import Query as MediaQuery
from schema.nodes.queries import Query as NodeQuery
from schema.reference.invalidation import ReferenceChanges
from schema.reference.mutations import Mutation as ReferenceMutation
from schema.reference.queries import Query as ReferenceQuery
from schema.reports.mutations import Mutation as ReportMutation
from schema.reports.queries import Query as ReportQuery
from schema.reports.subscriptions import Subscription as ReportSubscription
from schema.routing.mutations import Mutation as RoutingMutation
from schema.routing.queries import Query as RoutingQuery
from schema.statistics.queries import Query as StatisticsQuery

# The order of the domains is the order of the fields in `schema.graphql`.
Query = merge_types(
    "Query",
    (
        AccountQuery,
        ReferenceQuery,
        AgencyQuery,
        RoutingQuery,
        AuditQuery,
        MediaQuery,
        ReportQuery,
        StatisticsQuery,
        HotspotQuery,
        NodeQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        AccountMutation,
        MediaMutation,
        ReportMutation,
        IntakeMutation,
        LetterMutation,
        DossierMutation,
        AgencyMutation,
        RoutingMutation,
        ReferenceMutation,
        HandoffMutation,
        ExportMutation,
    ),
)
Subscription = merge_types("Subscription", (ReportSubscription,))


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Expected errors (bad input, domain refusals) are the client's business; only bugs are logged, by
        `ErrorCodes`, with the request id."""


def build_schema(limits: QueryLimits | None = None, observers: Sequence[Callable[[], SchemaExtension]] = ()) -> Schema:
    """The schema that serves, with the `limits` `api/` builds from settings; without them, the bare contract (what
    `export-schema` prints and the contract tests read). `observers` (metrics, tracing: `api/`) come first, so they
    see each operation whole and its errors as the client does."""
    documents = Documents()
    extensions: list[Callable[[], SchemaExtension]] = [*observers, lambda: InputBoundary(documents), ErrorCodes]
    if limits is not None:
        extensions.append(lambda: QueryLimiter(limits, documents))
        if not limits.introspection:
            extensions.append(HideSuggestions)
    extensions += [lambda: CachedDocuments(documents), ReferenceChanges]
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
    )


schema = build_schema()

__all__ = ["Schema", "build_schema", "schema"]
