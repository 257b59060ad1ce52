"""Known documents: what the server learns once about a query text and reuses for every request that sends it.

A console sends the same few operations all day; parsing and validating one of them again on every request was
about half of the server's GraphQL time. For each query text (the most recent `KNOWN_DOCUMENTS` of them) the cache
keeps the parsed document, the validation rules it passed, and what the extensions derive from the document alone
(`memo`: its shape for the query limits, the argument plan of the input boundary). Nothing kept depends on the
caller or the variables: the budget, the cost of `first: $first` and every argument's value are still checked on
each request. Only documents that parsed and validated cleanly are kept; a refused one is refused again, the same
way, each time it is sent.

One `Documents` per schema (the validation rules and the parse limits belong to it), built by `build_schema`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Any, TypeVar

from graphql import DocumentNode
from strawberry.extensions import SchemaExtension

KNOWN_DOCUMENTS = 256
T = TypeVar("T")


class Known:
    """One parsed document and what has been learnt about it."""

    __slots__ = ("document", "memo", "valid_under")

    def __init__(self, document: DocumentNode) -> None:
        self.document = document
        self.valid_under: set[tuple[Any, ...]] = set()
        self.memo: dict[Hashable, Any] = {}


class Documents:
    """The most recently used documents by query text (and parse limits), least recently used dropped first."""

    def __init__(self, size: int = KNOWN_DOCUMENTS) -> None:
        self.size = size
        self._by_text: OrderedDict[tuple[str, Hashable], Known] = OrderedDict()
        self._by_document: dict[int, Known] = {}

    def parsed(self, query: str, options: Hashable) -> DocumentNode | None:
        known = self._by_text.get((query, options))
        if known is None:
            return None
        self._by_text.move_to_end((query, options))
        return known.document

    def remember(self, query: str, options: Hashable, document: DocumentNode) -> None:
        self._by_text[(query, options)] = known = Known(document)
        self._by_document[id(document)] = known
        while len(self._by_text) > self.size:
            _, dropped = self._by_text.popitem(last=False)
            self._by_document.pop(id(dropped.document), None)

    def known(self, document: DocumentNode) -> Known | None:
        """The entry of a cached document (the very object the cache handed out), else None."""
        known = self._by_document.get(id(document))
        return known if known is not None and known.document is document else None

    def memo(self, document: DocumentNode, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` once per known document and `key`; every time for a document the cache does not hold."""
        known = self.known(document)
        if known is None:
            return compute()
        if key not in known.memo:
            known.memo[key] = compute()
        value: T = known.memo[key]
        return value


def memo(documents: Documents | None, document: DocumentNode, key: Hashable, compute: Callable[[], T]) -> T:
    return compute() if documents is None else documents.memo(document, key, compute)


class CachedDocuments(SchemaExtension):
    """Serves parsing and validation from `Documents`. List it after `QueryLimiter`, which sets the parse limits and
    the validation rules first and refuses an oversized document before it is validated."""

    def __init__(self, documents: Documents) -> None:
        self.documents = documents

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        options = tuple(sorted(context.parse_options.items()))
        cached = None if context.query is None else self.documents.parsed(context.query, options)
        if cached is not None:
            context.graphql_document = cached
        yield
        parsed = context.graphql_document
        if cached is None and parsed is not None and context.query is not None and not context.pre_execution_errors:
            self.documents.remember(context.query, options, parsed)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        known = None if document is None else self.documents.known(document)
        rules = tuple(context.validation_rules)
        if known is not None and context.pre_execution_errors is None and rules in known.valid_under:
            context.pre_execution_errors = []  # validated before under these rules: strawberry skips validation
            yield
            return
        yield
        if known is not None and context.pre_execution_errors == []:
            known.valid_under.add(rules)
