"""The id of the request being served, for correlating a client's `INTERNAL` error with the server log.

Set by the edge (`api.request_id`) for every HTTP request and websocket; read by whatever logs an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("request_id", default="-")


def current_request_id() -> str:
    return _request_id.get()


@contextmanager
def request_id_scope(request_id: str) -> Iterator[None]:
    """`request_id` is current inside the block, and the previous one again after it."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)
