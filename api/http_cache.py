"""HTTP caching of GraphQL answers: which operation a request runs, and the `Cache-Control` and ETag it earns.

Only queries sent with GET are cacheable, and only by what they ask: reference data (`categories`, `wards`,
`agencies`) publicly for `REFERENCE_CACHE_SECONDS`, public statistics for `STATISTICS_CACHE_SECONDS`; everything else
is `no-store`, and anything sent with a token `private, no-store` (a shared cache must never hand one person's answer
to another). A cacheable answer carries an ETag computed from its bytes, so it changes the moment an administrator's
edit changes the answer; a request whose `If-None-Match` holds it is answered 304 without a body. The ETag is weak
(`W/"..."`): the compression middleware may send the same answer gzipped, which a strong ETag would have to tell apart.
"""

from __future__ import annotations

import hashlib
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
from starlette.requests import Request
from starlette.responses import Response

from core.settings import Settings

REFERENCE_FIELDS = frozenset({"categories", "wards", "agencies", "agency"})
STATISTICS_FIELDS = frozenset({"statistics"})
NO_STORE = "no-store"
PRIVATE = "private, no-store"
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


def cache_control(request: Request, operation: Operation | None, ok: bool, settings: Settings) -> str:
    """The `Cache-Control` of one answer: public only for an anonymous GET of public data that succeeded."""
    if "authorization" in request.headers:
        return PRIVATE
    if request.method != "GET" or not ok or operation is None or operation.kind != "query":
        return NO_STORE
    fields = operation.root_fields - {"__typename"}
    if not fields:
        return NO_STORE
    if fields <= REFERENCE_FIELDS:
        return f"public, max-age={settings.reference_cache_seconds}"
    if fields <= REFERENCE_FIELDS | STATISTICS_FIELDS:
        return f"public, max-age={settings.statistics_cache_seconds}"
    return NO_STORE


def apply(request: Request, response: Response, policy: str) -> Response:
    """Sets `Cache-Control` (and for a public answer its ETag); answers 304 when the client already holds it."""
    response.headers["cache-control"] = policy
    if request.method == "GET":
        response.headers.add_vary_header("Accept")
        response.headers.add_vary_header("Authorization")
    if not policy.startswith("public"):
        return response
    etag = f'W/"{hashlib.sha256(response.body).hexdigest()[:40]}"'
    response.headers["etag"] = etag
    if _matches(request.headers.get("if-none-match", ""), etag):
        not_modified = Response(status_code=304)
        for name in ("cache-control", "etag", "vary"):
            not_modified.headers[name] = response.headers[name]
        return not_modified
    return response


def _matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2), as If-None-Match uses: `W/` does not matter."""
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(candidate.strip().removeprefix("W/") == wanted for candidate in if_none_match.split(","))
