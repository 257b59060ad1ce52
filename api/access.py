"""The edge's own record of every exchange: one access log line and the HTTP metrics per request, the websocket gauge
per socket. It replaces uvicorn's access log, which knows neither the request id, the duration, the GraphQL operation
nor the caller's role.

The line carries the method, the path (never the query string, where a signed media URL keeps its signature), the
status, the duration, the GraphQL operation names and the role: never a token, a phone number or a report's text.
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass, field

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.authentication import PrincipalUser
from core.metrics import HTTP_DURATION, HTTP_REQUESTS, WEBSOCKETS

logger = logging.getLogger("phananh.access")
UNMATCHED = "unmatched"


@dataclass
class Exchange:
    """What the layers inside learn about the request: the GraphQL operations it ran (`api.metrics`)."""

    operations: list[str] = field(default_factory=list)


_exchange: ContextVar[Exchange | None] = ContextVar("exchange", default=None)


def current_exchange() -> Exchange | None:
    return _exchange.get()


class AccessMiddleware:
    """Inside the request id middleware (so the line has the id) and outside Starlette's error handling (so a 500 is
    counted and logged like any other answer)."""

    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._socket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        exchange = Exchange()
        token = _exchange.set(exchange)

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            _exchange.reset(token)
            self._record(scope, status, time.perf_counter() - started, exchange)

    async def _socket(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        WEBSOCKETS.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            WEBSOCKETS.dec()
            seconds = time.perf_counter() - started
            logger.info(
                "WS %s closed after %.1f s",
                scope["path"],
                seconds,
                extra={"fields": {"method": "WS", "path": scope["path"], "duration_ms": round(seconds * 1000, 1)}},
            )

    def _record(self, scope: Scope, status: int, seconds: float, exchange: Exchange) -> None:
        route = self._route(scope)
        HTTP_REQUESTS.labels(scope["method"], route, str(status)).inc()
        HTTP_DURATION.labels(route).observe(seconds)
        if not logger.isEnabledFor(logging.INFO):
            return
        user = scope.get("user")
        role = user.principal.role.value if isinstance(user, PrincipalUser) else "ANONYMOUS"
        operation = ",".join(exchange.operations) or None
        duration_ms = round(seconds * 1000, 1)
        logger.info(
            "%s %s %s %.1f ms%s",
            scope["method"],
            scope["path"],
            status,
            duration_ms,
            f" {operation}" if operation else "",
            extra={
                "fields": {
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": duration_ms,
                    "operation": operation,
                    "role": role,
                }
            },
        )

    def _route(self, scope: Scope) -> str:
        """The template of the route that served the request (`/media/{key:path}`), never the path itself."""
        partial = UNMATCHED
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return str(getattr(route, "path", UNMATCHED))
            if match is Match.PARTIAL and partial == UNMATCHED:  # the path matches, the method does not (405)
                partial = str(getattr(route, "path", UNMATCHED))
        return partial
