"""Counting GraphQL operations: one timing per operation (never per field), by name, type and outcome.

The name comes from the document, never from the query text: an `operationName` that names no operation of the
document is `unknown`, an operation without a name is `anonymous`, and past `MAX_OPERATION_NAMES` distinct names a
process counts the rest as `other`, so a client inventing names cannot grow the metrics without bound. The outcome is
the `extensions.code` of the first error (set by `schema.base.errors`, which runs inside this extension), or `OK`;
`BAD_USER_INPUT` for what the view refuses before executing (no query, no such operation), `CANCELLED` for a query
whose client left, `INTERNAL` for an exception that escaped. The subscription gauge counts from the start of execution
to the end of the stream.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from typing import Any

from graphql import OperationDefinitionNode
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from api.access import current_exchange
from core.metrics import GRAPHQL_DURATION, GRAPHQL_OPERATIONS, SUBSCRIPTIONS

ANONYMOUS = "anonymous"
UNKNOWN = "unknown"
OTHER = "other"
MAX_OPERATION_NAMES = 300
_CODE = re.compile(r"^[A-Z][A-Z_]{0,39}$")
_seen_names: set[str] = set()


def operation_label(name: str | None, document: object) -> str:
    """The bounded label of the operation `name` selects in `document` (see the module's docstring)."""
    operations = [
        definition
        for definition in getattr(document, "definitions", ())
        if isinstance(definition, OperationDefinitionNode)
    ]
    if name is None:
        if len(operations) != 1:
            return UNKNOWN
        chosen = operations[0].name
        if chosen is None:
            return ANONYMOUS
        name = chosen.value
    elif not any(operation.name is not None and operation.name.value == name for operation in operations):
        return UNKNOWN
    if name in _seen_names:
        return name
    if len(_seen_names) >= MAX_OPERATION_NAMES:
        return OTHER
    _seen_names.add(name)
    return name


def outcome_of(errors: object) -> str:
    """`OK`, or the first error's `extensions.code` (`ERROR` when it has none that looks like one of ours)."""
    if not errors or not isinstance(errors, list):
        return "OK"
    code = (getattr(errors[0], "extensions", None) or {}).get("code")
    return code if isinstance(code, str) and _CODE.match(code) else "ERROR"


# The labelled series already made: `labels()` takes a lock and builds a key each time, a dict lookup does not. As
# bounded as the labels (names are capped above).
_operations: dict[tuple[str, ...], Any] = {}
_durations: dict[tuple[str, ...], Any] = {}


def _child(made: dict[tuple[str, ...], Any], metric: Any, *labels: str) -> Any:
    child = made.get(labels)
    if child is None:
        child = made[labels] = metric.labels(*labels)
    return child


class OperationMetrics(SchemaExtension):
    """First in the schema's extensions, so it sees the errors as the client will (after `ErrorCodes`)."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        self._subscribed = False
        self._kind: str | None = None
        refused: str | None = "INTERNAL"  # unless the operation ends normally or is one the view answers 400
        try:
            yield
            refused = None
        except (CannotGetOperationTypeError, InvalidOperationTypeError, MissingQueryError):
            refused = "BAD_USER_INPUT"
            raise
        except (GeneratorExit, asyncio.CancelledError):
            # A subscription ends so when its client completes it or leaves: its normal end.
            refused = None if self._subscribed else "CANCELLED"
            raise
        finally:
            self._count(time.perf_counter() - started, refused)

    def on_execute(self) -> Iterator[None]:
        kind = self.execution_context.operation_type
        self._kind = kind.value
        if kind is OperationType.SUBSCRIPTION:
            self._subscribed = True
            SUBSCRIPTIONS.inc()
        yield

    def _count(self, seconds: float, refused: str | None) -> None:
        context = self.execution_context
        document = context.graphql_document
        name = operation_label(context.operation_name, document) if document is not None else UNKNOWN
        kind = self._kind or (context.operation_type.value if document is not None and name != UNKNOWN else UNKNOWN)
        result = context.result
        errors = getattr(result, "errors", None) if result is not None else context.pre_execution_errors
        outcome = refused or outcome_of(errors)
        _child(_operations, GRAPHQL_OPERATIONS, name, kind, outcome).inc()
        if self._subscribed:
            SUBSCRIPTIONS.dec()
        elif kind in ("query", "mutation"):
            _child(_durations, GRAPHQL_DURATION, name, kind).observe(seconds)
        exchange = current_exchange()
        if exchange is not None:
            exchange.operations.append(name)
