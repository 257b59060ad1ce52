"""The one place where exceptions become GraphQL errors.

Domain errors keep their message and gain `extensions.code`; errors of the request itself (syntax, unknown fields,
variables of the wrong type) are `BAD_USER_INPUT`; a statement the database stopped at its statement timeout is
`TIMEOUT`. Two other kinds of database error are not bugs of ours either: the database out of reach is `UNAVAILABLE`
(retry later), and a value the database refuses (a NUL byte, a string too long for its column, a number out of
range, an unpaired surrogate on its way to the driver, a constraint) is `BAD_USER_INPUT`, or `CONFLICT` for a unique
key taken meanwhile; the input boundary (`schema.base.boundary`) should have refused such a value first, so these are
logged as warnings. Anything else is a bug, logged with the request id and sent to the client as `INTERNAL` with no
detail.
"""

from __future__ import annotations

import logging
import sqlite3

import asyncpg
from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors
from tortoise.exceptions import BaseORMException, DBConnectionError, IntegrityError, OperationalError, ValidationError

from core.errors import DomainError, TimedOut, Unavailable
from core.request_id import current_request_id

logger = logging.getLogger("phananh.errors")

INTERNAL_MESSAGE = "Internal server error."
STATEMENT_TIMEOUT_MESSAGE = "The database took too long and the operation was stopped; ask for less."
# PostgreSQL's SQLSTATE for a cancelled statement: here, one past `statement_timeout` (asyncpg raises it as
# `QueryCanceledError`, which Tortoise lets through or wraps).
QUERY_CANCELED = "57014"
UNAVAILABLE_MESSAGE = "The database cannot be reached just now; try again in a moment."
REFUSED_VALUE_MESSAGE = "The database refused a value of this request."

_UNREACHABLE = (
    ConnectionError,
    DBConnectionError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
)
_SQLITE_UNREACHABLE = ("database is locked", "unable to open database file")


def to_client_error(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, DomainError):
        return rebuilt(error, original.message, {**original.extensions, "code": original.code})
    if isinstance(original, GraphQLError) and (original.extensions or {}).get("code"):
        return rebuilt(error, original.message, dict(original.extensions or {}))
    if _statement_timed_out(original):
        logger.warning("statement stopped by the database's statement timeout [request %s]", current_request_id())
        return rebuilt(error, STATEMENT_TIMEOUT_MESSAGE, {"code": TimedOut.code})
    if error.path is None:
        # No path: the request itself is wrong (syntax, unknown field, a variable of the wrong type).
        return rebuilt(error, error.message, {**(error.extensions or {}), "code": "BAD_USER_INPUT"})
    request_id = current_request_id()
    if original is not None and database_unavailable(original):
        logger.warning("database unavailable [request %s]: %s", request_id, type(original).__name__)
        return rebuilt(error, UNAVAILABLE_MESSAGE, {"code": Unavailable.code, "requestId": request_id})
    refused = None if original is None else refused_value_code(original)
    if refused is not None:
        logger.warning("the database refused a value [request %s]: %s", request_id, type(original).__name__)
        return rebuilt(error, REFUSED_VALUE_MESSAGE, {"code": refused, "requestId": request_id})
    logger.error("unexpected error [request %s]", request_id, exc_info=original or error)
    return rebuilt(error, INTERNAL_MESSAGE, {"code": "INTERNAL", "requestId": request_id})


def _driver_error(error: BaseException) -> BaseException:
    """Tortoise wraps the driver's error as its first argument (without chaining it, on SQLite)."""
    if isinstance(error, BaseORMException) and error.args and isinstance(error.args[0], BaseException):
        return error.args[0]
    return error


def database_unavailable(error: BaseException) -> bool:
    """The database is out of reach (refused, dropped, shutting down, full), not this request at fault."""
    driver = _driver_error(error)
    if isinstance(driver, sqlite3.OperationalError):
        return str(driver) in _SQLITE_UNREACHABLE
    return isinstance(error, _UNREACHABLE) or isinstance(driver, _UNREACHABLE)


def refused_value_code(error: BaseException) -> str | None:
    """`BAD_USER_INPUT` (or `CONFLICT`) when the database or its driver refused a value of the request; else None."""
    driver = _driver_error(error)
    if isinstance(error, IntegrityError):
        unique = isinstance(driver, asyncpg.UniqueViolationError) or str(driver).startswith("UNIQUE constraint")
        return "CONFLICT" if unique else "BAD_USER_INPUT"
    if isinstance(error, ValidationError | UnicodeEncodeError):
        return "BAD_USER_INPUT"
    if isinstance(error, OperationalError) and isinstance(driver, asyncpg.DataError):
        return "BAD_USER_INPUT"
    return None


def _statement_timed_out(error: BaseException | None) -> bool:
    while error is not None:
        if getattr(error, "sqlstate", None) == QUERY_CANCELED:
            return True
        error = error.__cause__
    return False


def rebuilt(
    error: GraphQLError,
    message: str,
    extensions: dict[str, object] | None,
    original_error: Exception | None = None,
) -> GraphQLError:
    """The same error (place, path) told differently; the original is dropped unless kept on purpose, so that no
    exception text reaches a client by another route."""
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=original_error,
        extensions=extensions,
    )


class ErrorCodes(MaskErrors):
    """Reuses strawberry's error-masking hook points, but maps every error instead of masking all of them."""

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [to_client_error(error) for error in errors]
