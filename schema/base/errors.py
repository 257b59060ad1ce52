"""The one place where exceptions become GraphQL errors.

Domain errors keep their message and gain `extensions.code`; errors of the request itself (syntax, unknown fields,
variables of the wrong type) are `BAD_USER_INPUT`; anything else is a bug, logged with the request id and sent to the
client as `INTERNAL` with no detail.
"""

from __future__ import annotations

import logging

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from core.errors import DomainError
from core.request_id import current_request_id

logger = logging.getLogger("phananh.errors")

INTERNAL_MESSAGE = "Internal server error."


def to_client_error(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, DomainError):
        return _rebuild(error, original.message, {**original.extensions, "code": original.code})
    if isinstance(original, GraphQLError) and (original.extensions or {}).get("code"):
        return _rebuild(error, original.message, dict(original.extensions or {}))
    if error.path is None:
        # No path: the request itself is wrong (syntax, unknown field, a variable of the wrong type).
        return _rebuild(error, error.message, {**(error.extensions or {}), "code": "BAD_USER_INPUT"})
    request_id = current_request_id()
    logger.error("unexpected error [request %s]", request_id, exc_info=original or error)
    return _rebuild(error, INTERNAL_MESSAGE, {"code": "INTERNAL", "requestId": request_id})


def _rebuild(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


class ErrorCodes(MaskErrors):
    """Reuses strawberry's error-masking hook points, but maps every error instead of masking all of them."""

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [to_client_error(error) for error in errors]
