"""The input boundary: every argument of an operation is checked before any resolver runs.

Strings and ids must be valid Unicode text without NUL characters and within the bound their declaration names
(`schema.base.bounds`), codes must have their shape, lists their number of items, dates and times must lie between
2000-01-01 and 2100-01-01 (times with their offset), and an `Upload` must be a file part, not a string. What fails
is refused as BAD_USER_INPUT naming the argument (`filter.wardCode`), so that no lookup, database driver or date
arithmetic ever sees it. The check reads the operation as graphql-core will execute it (variables coerced, fragments
followed), once per operation; which fields take arguments is worked out once per known document.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLError,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_argument_values,
    get_named_type,
    get_operation_ast,
    get_variable_values,
)
from starlette.datastructures import UploadFile
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.graphql import OperationType

from core.errors import InvalidInput
from schema.base.bounds import (
    BARE_FIELDS_KEY,
    BOUND_KEY,
    EARLIEST_DAY,
    EARLIEST_TIME,
    LATEST_DAY,
    LATEST_TIME,
    TEXT,
    Bound,
)
from schema.base.documents import Documents, memo

TEXT_SCALARS = frozenset({"String", "ID"})
UPLOAD_SCALAR = "Upload"


class InputBoundary(SchemaExtension):
    """Refuses an operation whose arguments break the boundary, before it executes.

    A refused query or mutation gets its result here; a subscription, whose execution strawberry starts regardless
    of a result, is refused by raising, which strawberry sends as the subscription's error. List this extension
    first: hooks entered before a raising one are not exited. With `documents`, the fields that take arguments are
    found once per known document (`schema.base.documents`); their values are checked on every request."""

    def __init__(self, documents: Documents | None = None) -> None:
        self.documents = documents

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        refusal = (
            None
            if document is None
            else check_operation(
                context.schema._schema, document, context.operation_name, context.variables, self.documents
            )
        )
        if refusal is not None:
            error = GraphQLError(refusal.message, original_error=refusal)
            if context.operation_type is OperationType.SUBSCRIPTION:
                raise error
            context.result = ExecutionResult(data=None, errors=[error])
        yield


@dataclass(frozen=True)
class _Argument:
    key: str
    type: GraphQLInputType
    bound: Bound
    path: str


@dataclass(frozen=True)
class _Call:
    """A field of the operation that is given arguments, with what the boundary checks of each argument."""

    definition: GraphQLField
    node: FieldNode
    arguments: tuple[_Argument, ...]


def check_operation(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    documents: Documents | None = None,
) -> InvalidInput | None:
    """The first argument of the operation that breaks the boundary, as the refusal to send; None if all keep it.
    Variables that do not fit their types are left for execution to report."""
    operation = get_operation_ast(document, operation_name)
    root = None if operation is None else schema.get_root_type(operation.operation)
    if operation is None or root is None:
        return None
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    if isinstance(coerced, list):
        return None
    calls = memo(documents, document, ("calls", operation_name), lambda: _calls(schema, document, operation, root))
    try:
        for call in calls:
            values = get_argument_values(call.definition, call.node, coerced)
            for argument in call.arguments:
                if argument.key in values:
                    check_value(values[argument.key], argument.type, argument.bound, argument.path)
    except InvalidInput as refusal:
        return refusal
    except GraphQLError:
        return None  # an argument that execution itself refuses
    return None


def _calls(
    schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, root: GraphQLNamedType
) -> tuple[_Call, ...]:
    fragments = {node.name.value: node for node in document.definitions if isinstance(node, FragmentDefinitionNode)}
    walk = _Walk(schema, fragments)
    walk.selections(root, operation.selection_set)
    return tuple(walk.calls)


class _Walk:
    """Visits each field of the operation once, fragments once each, and lists the fields given arguments, in the
    order they are checked."""

    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.schema = schema
        self.fragments = fragments
        self.seen: set[str] = set()
        self.calls: list[_Call] = []

    def selections(self, parent: GraphQLNamedType | None, selection_set: SelectionSetNode) -> None:
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                self.field(parent, node)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                self.selections(self.schema.get_type(condition.name.value) if condition else parent, node.selection_set)
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in self.seen:
                self.seen.add(node.name.value)
                fragment = self.fragments[node.name.value]
                self.selections(self.schema.get_type(fragment.type_condition.name.value), fragment.selection_set)

    def field(self, parent: GraphQLNamedType | None, node: FieldNode) -> None:
        definition = getattr(parent, "fields", {}).get(node.name.value)
        if definition is None:
            return  # __typename and the introspection fields
        if definition.args:
            arguments = tuple(
                _Argument(
                    argument.out_name or name,
                    argument.type,
                    bound_of(argument),
                    "" if _metadata(argument).get(BARE_FIELDS_KEY) else name,
                )
                for name, argument in definition.args.items()
            )
            self.calls.append(_Call(definition, node, arguments))
        if node.selection_set is not None:
            self.selections(get_named_type(definition.type), node.selection_set)


def declared_bound(declaration: GraphQLArgument | GraphQLInputField) -> Bound | None:
    """The bound declared with the argument or input field (`schema.base.bounds`), if any."""
    bound = _metadata(declaration).get(BOUND_KEY)
    return bound if isinstance(bound, Bound) else None


def bound_of(declaration: GraphQLArgument | GraphQLInputField) -> Bound:
    """The declared bound. The contract test makes sure every String and ID has one; the fallback keeps an undeclared
    one from reaching the database unchecked all the same."""
    return declared_bound(declaration) or TEXT


def _metadata(declaration: GraphQLArgument | GraphQLInputField) -> Mapping[Any, Any]:
    """What the strawberry declaration behind a graphql-core argument or input field carries in `metadata` (a dict
    for arguments, a read-only mapping for fields)."""
    source = (declaration.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    metadata = getattr(source, "metadata", None)
    return metadata if isinstance(metadata, Mapping) else {}


def check_value(value: Any, type_: GraphQLInputType, bound: Bound, path: str) -> None:
    """Refuses the first part of `value` (an argument, or a field of an input) that breaks the boundary."""
    if value is None:
        return
    if isinstance(type_, GraphQLNonNull):
        check_value(value, type_.of_type, bound, path)
    elif isinstance(type_, GraphQLList):
        if bound.max_items is not None and len(value) > bound.max_items:
            raise InvalidInput(f"{path} has more than {bound.max_items} items.", field=path, maxItems=bound.max_items)
        for item in value:
            check_value(item, type_.of_type, bound, path)
    elif isinstance(type_, GraphQLInputObjectType):
        for name, field in type_.fields.items():
            key = field.out_name or name
            if key in value:
                check_value(value[key], field.type, bound_of(field), f"{path}.{name}" if path else name)
    elif type_.name in TEXT_SCALARS and isinstance(value, str):
        check_text(value, bound, path)
    elif type_.name == UPLOAD_SCALAR and not isinstance(value, UploadFile):
        raise InvalidInput(f"{path} must be a file part of a multipart request (GraphQL multipart spec).", field=path)
    elif isinstance(value, datetime):
        check_time(value, path)
    elif isinstance(value, date):
        check_day(value, path)


def check_text(text: str, bound: Bound, path: str) -> None:
    if len(text) > bound.max_length:
        raise InvalidInput(
            f"{path} is longer than {bound.max_length} characters.", field=path, maxLength=bound.max_length
        )
    if "\x00" in text:
        raise InvalidInput(f"{path} contains a NUL character.", field=path)
    if not text.isascii():
        try:
            text.encode()
        except UnicodeEncodeError:
            raise InvalidInput(f"{path} is not valid Unicode text (an unpaired surrogate).", field=path) from None
    if not bound.fits_shape(text):
        raise InvalidInput(f"{path} is malformed: {bound.shape_text}.", field=path)


def check_day(day: date, path: str) -> None:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InvalidInput(f"{path} must lie between {EARLIEST_DAY} and {LATEST_DAY}.", field=path)


def check_time(moment: datetime, path: str) -> None:
    if moment.utcoffset() is None:
        raise InvalidInput(f"{path} needs a time zone offset, e.g. 2026-11-23T08:30:00+07:00.", field=path)
    if not EARLIEST_TIME <= moment <= LATEST_TIME:
        raise InvalidInput(f"{path} must lie between {EARLIEST_DAY} and {LATEST_DAY}.", field=path)
