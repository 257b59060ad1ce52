"""Cost control before execution: what one GraphQL operation may ask, checked before any resolver runs.

In the order a request meets them: the length of the query text and its number of tokens, while it is parsed (a
document past either is abandoned at once, so a huge one never holds the event loop); the shape of the selection
(aliases, depth, fields), before validation, whose work grows with the square of repeated fields; then its estimated
cost (`schema.base.cost`) against the caller's budget, anonymous callers having the smallest. Each refusal is
BAD_USER_INPUT, like any other malformed request, with `extensions.limit` naming the limit and `extensions.max` its
value. Queries then run under a deadline, answered TIMEOUT. With introspection off, `__schema` and `__type` are
refused.

The numbers are settings, turned into `QueryLimits` by `api/`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any, cast

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_operation_ast,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from auth.principal import Principal
from core.errors import InvalidInput, TimedOut
from core.request_id import current_request_id
from schema.base.cost import estimate
from schema.base.documents import Documents, memo
from schema.base.enums import Role
from schema.base.errors import to_client_error

logger = logging.getLogger("phananh.limits")

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
SHAPE_MESSAGES = {
    "fields": "The query selects {found} fields (a fragment counts wherever it is spread); at most {most} are allowed.",
    "aliases": "The query uses {found} aliases; at most {most} are allowed.",
    "depth": "The query nests fields {found} levels deep; at most {most} are allowed.",
}


@dataclass(frozen=True)
class Budgets:
    """The most an operation may cost, by who asks."""

    anonymous: int
    citizen: int
    staff: int

    def of(self, principal: Principal | None) -> int:
        if principal is None:
            return self.anonymous
        return self.citizen if principal.role is Role.CITIZEN else self.staff


@dataclass(frozen=True)
class QueryLimits:
    max_query_length: int
    max_tokens: int
    max_fields: int
    max_aliases: int
    max_depth: int
    budgets: Budgets
    timeout_seconds: float
    introspection: bool


@dataclass(frozen=True)
class Shape:
    """How many fields and aliases a selection has (a fragment counted wherever it is spread), and how deep its
    fields nest."""

    fields: int = 0
    aliases: int = 0
    depth: int = 0

    def __add__(self, other: Shape) -> Shape:
        return Shape(self.fields + other.fields, self.aliases + other.aliases, max(self.depth, other.depth))


def measure(document: DocumentNode) -> Shape:
    """The shape of every operation of the document, and of the fragments none of them spreads (validation reads
    those too). Introspection fields count as fields but not their depth: the standard introspection query nests 15
    deep, and introspection is off in production."""
    walk = _Measure(document)
    shape = Shape()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            shape += walk.selections(definition.selection_set)
    for name in walk.fragments.keys() - walk.spread:
        shape += walk.fragment(name)
    return shape


class _Measure:
    """Each fragment is measured once and reused where it is spread: a document spreading fragments into one another
    is measured in linear time, however many fields it expands to."""

    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            node.name.value: node for node in document.definitions if isinstance(node, FragmentDefinitionNode)
        }
        self.measured: dict[str, Shape] = {}
        self.entered: set[str] = set()
        self.spread: set[str] = set()

    def selections(self, selection_set: SelectionSetNode) -> Shape:
        shape = Shape()
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                shape += self.field(node)
            elif isinstance(node, InlineFragmentNode):
                shape += self.selections(node.selection_set)
            elif isinstance(node, FragmentSpreadNode):
                self.spread.add(node.name.value)
                shape += self.fragment(node.name.value)
        return shape

    def field(self, node: FieldNode) -> Shape:
        inner = Shape() if node.selection_set is None else self.selections(node.selection_set)
        depth = 1 if node.name.value in INTROSPECTION_FIELDS else 1 + inner.depth
        return Shape(1 + inner.fields, (node.alias is not None) + inner.aliases, depth)

    def fragment(self, name: str) -> Shape:
        if name not in self.measured:
            fragment = self.fragments.get(name)
            if fragment is None or name in self.entered:
                return Shape()  # unknown or cyclic: validation refuses the document
            self.entered.add(name)
            self.measured[name] = self.selections(fragment.selection_set)
            self.entered.discard(name)
        return self.measured[name]


class QueryLimiter(SchemaExtension):
    """Applies `QueryLimits` to every operation, over HTTP and websocket alike. List it after `ErrorCodes`: its
    refusals are request errors that `ErrorCodes` gives their code."""

    def __init__(self, limits: QueryLimits, documents: Documents | None = None) -> None:
        self.limits = limits
        self.documents = documents

    def on_parse(self) -> Iterator[None]:
        """graphql-core's parser stops at the length and token limits itself; its error gains the limit's name."""
        context = self.execution_context
        options = cast("dict[str, object]", context.parse_options)
        options["max_source_length"] = self.limits.max_query_length
        options["max_tokens"] = self.limits.max_tokens
        yield
        length = len(context.query or "")
        for error in context.pre_execution_errors or ():
            if not isinstance(error, GraphQLSyntaxError):
                continue
            if length > self.limits.max_query_length:
                refused = {"limit": "length", "max": self.limits.max_query_length, "length": length}
            elif f"more than {self.limits.max_tokens} tokens" in error.message:
                refused = {"limit": "tokens", "max": self.limits.max_tokens}
            else:
                continue
            error.extensions = {**(error.extensions or {}), **refused}

    def on_validate(self) -> Iterator[None]:
        """A refusal here stands in for validation's errors, so an oversized document is never validated."""
        context = self.execution_context
        if not self.limits.introspection:
            context.validation_rules = (*context.validation_rules, NoSchemaIntrospectionCustomRule)
        try:
            refusal = None if context.graphql_document is None else self.refusal(context.graphql_document)
        except RecursionError:
            # Fragments spread into one another past what the interpreter can follow (graphql-core's parser stops
            # syntactic nesting itself): deeper than any depth limit.
            refusal = InvalidInput("The query nests fragments too deeply.", limit="depth", max=self.limits.max_depth)
        if refusal is not None:
            context.pre_execution_errors = [GraphQLError(refusal.message, original_error=refusal)]
        yield

    async def on_execute(self) -> AsyncIterator[None]:
        """A query is stopped at the deadline and answered TIMEOUT. Mutations are not cut short: stopped halfway they
        would leave the caller unsure what was done; each of their statements has the database's statement timeout."""
        if self.execution_context.operation_type is not OperationType.QUERY:
            yield
            return
        deadline = asyncio.timeout(self.limits.timeout_seconds)
        try:
            async with deadline:
                yield
        except TimeoutError:
            if not deadline.expired():
                raise
            logger.warning(
                "query stopped at its %ss deadline [request %s]", self.limits.timeout_seconds, current_request_id()
            )
            stopped = TimedOut(
                f"The query took longer than {self.limits.timeout_seconds:g} seconds and was stopped; ask for less "
                "(a shorter range, a smaller page).",
                timeoutSeconds=self.limits.timeout_seconds,
            )
            # Raised, not returned: the execution strawberry was awaiting has no result. Being a client error
            # already, it needs no mapping by `ErrorCodes`, whose hook this exception passes by.
            raise to_client_error(GraphQLError(stopped.message, original_error=stopped)) from None

    def refusal(self, document: DocumentNode) -> InvalidInput | None:
        shape = memo(self.documents, document, "shape", lambda: measure(document))
        limits = self.limits
        for limit, found, most in (
            ("aliases", shape.aliases, limits.max_aliases),
            ("depth", shape.depth, limits.max_depth),
            ("fields", shape.fields, limits.max_fields),
        ):
            if found > most:
                measured: dict[str, Any] = {limit: found}
                return InvalidInput(
                    SHAPE_MESSAGES[limit].format(found=found, most=most), limit=limit, max=most, **measured
                )
        context = self.execution_context
        operation = get_operation_ast(document, context.operation_name)
        if operation is None:
            return None  # strawberry refuses a document without the operation asked for
        cost = estimate(context.schema._schema, document, operation, context.variables)
        principal = getattr(context.context, "principal", None)
        budget = limits.budgets.of(principal if isinstance(principal, Principal) else None)
        if cost > budget:
            return InvalidInput(
                f"The query would cost {cost}, more than the {budget} allowed: every list multiplies what is "
                "selected under it. Ask for smaller pages, fewer nested lists or fewer fields.",
                limit="cost",
                cost=cost,
                max=budget,
            )
        return None
