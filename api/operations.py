"""Which operation a request runs: its type and root fields, read from the document before execution.

The HTTP view needs it to refuse a GET of anything but a query and to choose an answer's caching (`api.http_cache`);
the websocket to tell a subscription, which joins a live group (`api.live_groups`), from a query or a mutation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    SelectionSetNode,
    get_operation_ast,
    parse,
)

# Documents analysed once per process (a client sends the same few over and over), if no longer than a frontend's:
# at most 512 x 8 KB held, whatever unique documents a client makes up.
ANALYSED_DOCUMENTS = 512
CACHED_DOCUMENT_LENGTH = 8_192


@dataclass(frozen=True)
class Operation:
    """The operation a request selects: its type (`query`, `mutation`, `subscription`) and its root fields."""

    kind: str
    root_fields: frozenset[str]


def operation_of(query: str, operation_name: str | None, max_length: int, max_tokens: int) -> Operation | None:
    """The selected operation, or None when the document does not parse within the limits or names no operation
    (execution then answers the client with the precise error)."""
    if len(query) > max_length:
        return None
    if len(query) > CACHED_DOCUMENT_LENGTH:
        return _analyse(query, operation_name, max_tokens)
    return _cached_analysis(query, operation_name, max_tokens)


def _analyse(query: str, operation_name: str | None, max_tokens: int) -> Operation | None:
    try:
        document = parse(query, no_location=True, max_tokens=max_tokens)
    except GraphQLError:
        return None
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    return Operation(operation.operation.value, frozenset(_root_fields(document, operation.selection_set, set())))


_cached_analysis = lru_cache(maxsize=ANALYSED_DOCUMENTS)(_analyse)


def _root_fields(document: DocumentNode, selection_set: SelectionSetNode, seen: set[str]) -> set[str]:
    fields: set[str] = set()
    for node in selection_set.selections:
        if isinstance(node, FieldNode):
            fields.add(node.name.value)
        elif isinstance(node, InlineFragmentNode):
            fields |= _root_fields(document, node.selection_set, seen)
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
            seen.add(node.name.value)
            for definition in document.definitions:
                if isinstance(definition, FragmentDefinitionNode) and definition.name.value == node.name.value:
                    fields |= _root_fields(document, definition.selection_set, seen)
    return fields
