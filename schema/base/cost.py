"""What an operation would cost, estimated from its selection before any resolver runs.

Every object a response may hold costs 1: a field that returns an object counts once for each object it is resolved
on, a list counts each of its items, and what is selected under a list is counted for every item. So a `children`
list inside a `parent` inside the `agencies` list costs `agencies x children` agencies, as it would be built. Leaves
cost nothing, but for the few that run a query of their own (`totalCount`). Fields that do heavy database work weigh
more on top (`WEIGHTS`: `statistics`, its `series` by day or week and `responseTimeHours`, which may read every
report of the range). Introspection (`__schema`, `__type`) is not counted: it is bounded by the schema, and off in
production.

Sizes come from this table, never from the data: a plain list counts the most items it holds in practice
(`LIST_SIZES`, checked against the reference data by the tests), a list or connection with a `first` argument counts
`first` (its default when absent, never more than its maximum: larger values are refused when the field runs). A test
fails when the schema gains a list of objects without a size here. Over distinct parents (the agencies of a list, not
the one parent that `parent` reaches from each of them) a list holds at most its whole (`WHOLES`): every agency has
one parent, so the `children` of all agencies together are at most all agencies, while `parent { children }` from
each agency counts the same children again and again, as it would build them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    is_leaf_type,
)

from schema.base.bounds import NODE_IDS
from services.common.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


@dataclass(frozen=True)
class Sized:
    """A list whose length the client chooses with an argument (a connection: `first`, or `last` when paging
    backwards): its default when the argument is absent or null, never more than its maximum (the field refuses
    more)."""

    default: int
    maximum: int
    argument: str = "first"
    backward: str | None = None

    def size(self, given: object, given_backward: object = None) -> int:
        sizes = [
            max(0, min(value, self.maximum))
            for value in (given, given_backward)
            if isinstance(value, int) and not isinstance(value, bool)
        ]
        return max(sizes) if sizes else self.default


@dataclass(frozen=True)
class ByArgument:
    """A weight or size that depends on an enum argument (`series(interval: DAY)`), with the value of its
    default."""

    argument: str
    values: Mapping[str, int]
    default: int

    def value(self, given: object) -> int:
        return self.values.get(given, self.default) if isinstance(given, str) else self.default


@dataclass(frozen=True)
class Counted:
    """A list with one item per value of a list argument (`nodes(ids:)`): as many as given, at most `maximum`
    (the boundary refuses more), the maximum when the count is not known before the operation runs."""

    argument: str
    maximum: int

    def size(self, given: object) -> int:
        return min(len(given), self.maximum) if isinstance(given, list) else self.maximum


PAGE = Sized(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, backward="last")
# `Agency.children` answers at most this many agencies (by code); `children(first:)` asks for fewer.
AGENCY_CHILDREN = Sized(200, 200)

# Plain lists of objects: the most items each holds in practice. Reference lists are checked against the seeded data
# (126 wards, about 20 categories, about 270 agencies of which 7 traffic police, about 510 routing rules); the others
# are bounded by the rules that fill them (10 media per report) or by what an agency plausibly has (staff).
LIST_SIZES: dict[tuple[str, str], int | Sized | ByArgument | Counted] = {
    ("Query", "staff"): 200,
    ("Query", "categories"): 50,
    ("Query", "wards"): 150,
    ("Query", "agencies"): ByArgument(
        "kind",
        {"TRAFFIC_POLICE": 20, "INFRASTRUCTURE": 10, "OTHER": 10, "WARD_POLICE": 150, "WARD_COMMITTEE": 150},
        default=300,
    ),
    ("Query", "routingRules"): 1000,
    ("Query", "nodes"): Counted("ids", NODE_IDS.max_items or 0),
    ("Query", "auditLog"): PAGE,
    ("Query", "myReports"): PAGE,
    ("Query", "reports"): PAGE,
    ("Agency", "children"): AGENCY_CHILDREN,
    ("Agency", "wards"): 150,
    ("Agency", "categories"): 50,
    ("Agency", "staff"): 200,
    ("Agency", "overdueReports"): PAGE,
    ("AgencyWorkload", "byStatus"): 6,
    ("AgencyWorkload", "byOfficer"): 200,
    ("Report", "media"): 10,
    ("Report", "decisions"): 10,
    ("Report", "notifications"): 10,
    ("Report", "timeline"): 30,
    ("Custody", "entries"): 500,  # `schema.custody.types.ENTRIES_MAX`
    ("Statistics", "byCategory"): 50,
    ("Statistics", "byAgency"): 300,
    ("Statistics", "byWard"): 150,
    ("Statistics", "byChannel"): 4,
    ("Statistics", "byStatus"): 6,
    # Buckets of a range of four years (the figures reach back to 2023): days, weeks or months.
    ("Statistics", "series"): ByArgument("interval", {"DAY": 1500, "WEEK": 220}, default=50),
    # The most cells one answer holds whatever HOTSPOT_MAX_CELLS says (`core.settings_checks.HOTSPOT_CELLS_CEILING`).
    ("Hotspots", "cells"): 2000,
}

# Over distinct parents these lists hold at most this many items together: the lists that share out a whole among
# their parents (`PARTITIONS`: each agency has one parent, each staff member one agency, each officer one row of the
# workload), and the links between agencies and the wards and categories they cover (a few agencies per ward).
WHOLES: dict[tuple[str, str], int] = {
    ("Agency", "children"): 300,
    ("Agency", "staff"): 2000,
    ("AgencyWorkload", "byOfficer"): 2300,
    ("Agency", "wards"): 1000,
    ("Agency", "categories"): 2000,
}
PARTITIONS = frozenset({("Agency", "children"), ("Agency", "staff"), ("AgencyWorkload", "byOfficer")})
# Objects that belong to their parent alone: one per parent, so distinct parents give distinct objects.
ONE_TO_ONE = frozenset({("Agency", "workload"), ("ReportEdge", "node"), ("AuditEntryEdge", "node")})

# Work beyond building objects, counted in objects built. The statistics figures come from one aggregate statement
# (totals and the five breakdowns together); `series` by day or week and `responseTimeHours` come from the daily and
# response-time rollups, but read every report of the range when the filter goes beyond what those keep (two filters,
# or a ward: `services.statistics.figures`), about 1.5 s each over a million reports. The estimate takes that worst
# case.
WEIGHTS: dict[tuple[str, str], int | ByArgument] = {
    ("Query", "statistics"): 100,
    ("Statistics", "series"): ByArgument("interval", {"DAY": 1000, "WEEK": 1000}, default=10),
    ("Statistics", "responseTimeHours"): 1000,
    ("Query", "routingPreview"): 10,
    # One grouped statement: over the hotspot rollup for coarse maps of all time (tens of ms), else over the reports
    # the filter selects (the whole city at a fine precision: one to two seconds over a million reports).
    ("Query", "hotspots"): 500,
    ("Agency", "workload"): 20,
    # Re-hashes every original of the report from the store (up to ten files of 100 MB): one report per operation
    # within the staff budget, never a page of them.
    ("Report", "custody"): 2000,
    ("Agency", "overdueReports"): 20,
    ("ReportConnection", "totalCount"): 10,
    ("AuditEntryConnection", "totalCount"): 10,
    # An export's link costs a rate-limit take; the file (up to EXPORT_MAX_ROWS rows) is made when it is fetched,
    # outside GraphQL, and bounded by the hourly export limit instead. The weight keeps aliases from asking many.
    ("Mutation", "exportReports"): 1000,
    ("Mutation", "exportStatistics"): 1000,
}


def is_connection(type_: GraphQLNamedType) -> bool:
    """A Relay connection: its size applies to its `edges`, not to the connection itself."""
    return isinstance(type_, GraphQLObjectType) and "edges" in type_.fields and "pageInfo" in type_.fields


def is_list(type_: GraphQLOutputType) -> bool:
    return isinstance(type_.of_type if isinstance(type_, GraphQLNonNull) else type_, GraphQLList)


def estimate(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None,
) -> int:
    """The cost of running `operation` of `document` with these variables (as the client sent them)."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    defaults = {
        definition.variable.name.value: definition.default_value
        for definition in operation.variable_definitions or ()
        if definition.default_value is not None
    }
    estimate = _Estimate(schema, document, dict(variables or {}), defaults)
    return estimate.selections(root, operation.selection_set, Scope(count=1, distinct=True))


@dataclass(frozen=True)
class Scope:
    """The objects a selection is resolved on: how many, whether no object is among them twice, and the page size of
    the connection they are (for its `edges`)."""

    count: int
    distinct: bool
    page: int | None = None


class _Estimate:
    """One walk of the selection. A fragment is costed once per scope and reused wherever it is spread in that scope,
    so a document of fragments spread many times is costed in linear time however large its cost."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: dict[str, Any],
        defaults: Mapping[str, ValueNode],
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.defaults = defaults
        self.fragments = {
            node.name.value: node for node in document.definitions if isinstance(node, FragmentDefinitionNode)
        }
        self.costed: dict[tuple[str, Scope], int] = {}
        self.entered: set[str] = set()

    def selections(self, parent: GraphQLNamedType, selection_set: SelectionSetNode, scope: Scope) -> int:
        total = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                total += self.field(parent, node, scope)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                within = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(within or parent, node.selection_set, scope)
            elif isinstance(node, FragmentSpreadNode):
                total += self.fragment(node.name.value, scope)
        return total

    def fragment(self, name: str, scope: Scope) -> int:
        key = (name, scope)
        if key not in self.costed:
            fragment = self.fragments.get(name)
            within = None if fragment is None else self.schema.get_type(fragment.type_condition.name.value)
            if fragment is None or within is None or name in self.entered:
                return 0  # unknown or cyclic: validation refuses the document
            self.entered.add(name)
            self.costed[key] = self.selections(within, fragment.selection_set, scope)
            self.entered.discard(name)
        return self.costed[key]

    def field(self, parent: GraphQLNamedType, node: FieldNode, scope: Scope) -> int:
        name = node.name.value
        definition: GraphQLField | None = getattr(parent, "fields", {}).get(name)
        if definition is None or name.startswith("__"):
            return 0  # unknown (validation refuses it), __typename, introspection
        key = (parent.name, name)
        returned = get_named_type(definition.type)
        weight = scope.count * self.weight(key, node)
        if is_leaf_type(returned) or node.selection_set is None:
            return weight
        if is_connection(returned):
            page = self.size(key, node, definition.type, scope.page)
            return weight + scope.count + self.selections(returned, node.selection_set, replace(scope, page=page))
        alone = scope.count == 1
        if is_list(definition.type):
            count = scope.count * self.size(key, node, definition.type, scope.page)
            if scope.distinct and key in WHOLES:
                count = min(count, WHOLES[key])
            inner = Scope(count, scope.distinct and (alone or key in PARTITIONS))
        else:
            inner = Scope(scope.count, scope.distinct and (alone or key in ONE_TO_ONE))
        return weight + inner.count + self.selections(returned, node.selection_set, inner)

    def weight(self, key: tuple[str, str], node: FieldNode) -> int:
        weight = WEIGHTS.get(key, 0)
        return weight.value(self.argument(node, weight.argument)) if isinstance(weight, ByArgument) else weight

    def size(self, key: tuple[str, str], node: FieldNode, type_: GraphQLOutputType, page: int | None) -> int:
        declared = LIST_SIZES.get(key)
        if isinstance(declared, Sized):
            backward = None if declared.backward is None else self.argument(node, declared.backward)
            return declared.size(self.argument(node, declared.argument), backward)
        if isinstance(declared, ByArgument):
            return declared.value(self.argument(node, declared.argument))
        if isinstance(declared, Counted):
            return declared.size(self.argument(node, declared.argument))
        if declared is not None:
            return declared
        if key[1] == "edges" and page is not None:
            return page
        return MAX_PAGE_SIZE if is_list(type_) or is_connection(get_named_type(type_)) else 1

    def argument(self, node: FieldNode, name: str) -> object:
        """The argument's value as given, through its variable and that variable's default; None when absent."""
        for argument in node.arguments or ():
            if argument.name.value == name:
                return self.literal(argument.value)
        return None

    def literal(self, value: ValueNode) -> object:
        if isinstance(value, VariableNode):
            name = value.name.value
            if name in self.variables:
                return self.variables[name]
            default = self.defaults.get(name)
            return None if default is None else self.literal(default)
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, ListValueNode):
            return [self.literal(item) for item in value.values]
        return getattr(value, "value", None)
