"""The error vocabulary of the domain.

Services raise these; `schema/base/errors.py` maps them to GraphQL errors with the stable `extensions.code` the
frontends react to. Anything else that escapes is a bug and reaches clients as `INTERNAL` without detail.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    code: ClassVar[str] = "INTERNAL"

    def __init__(self, message: str, *, field: str | None = None, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = dict(extensions)
        if field is not None:
            self.extensions["field"] = field


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class Forbidden(DomainError):
    code = "FORBIDDEN"


class NotFound(DomainError):
    code = "NOT_FOUND"


class InvalidInput(DomainError):
    code = "BAD_USER_INPUT"


class Conflict(DomainError):
    code = "CONFLICT"


class RateLimited(DomainError):
    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message, retryAfterSeconds=retry_after_seconds)


class PayloadTooLarge(DomainError):
    code = "PAYLOAD_TOO_LARGE"


class UnsupportedMediaType(DomainError):
    code = "UNSUPPORTED_MEDIA_TYPE"


class TimedOut(DomainError):
    """The operation was stopped: a query past the request deadline, or a database statement past the statement
    timeout (its transaction rolled back). A narrower query (a shorter range, a smaller page) may pass."""

    code = "TIMEOUT"


class Unavailable(DomainError):
    """A dependency (the database) cannot be reached just now; the same request may pass in a moment."""

    code = "UNAVAILABLE"
