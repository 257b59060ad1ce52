"""A per-address throttle on anonymous GraphQL requests, answered with HTTP 429 before any work is done.

Anonymous reads (reference data, public statistics) need no account, so no account-based limit bounds them; the cost
budget bounds one request, this bounds how many one address sends. It is a token bucket per address, in memory: it
costs no round trip on the read path, which is the point, and therefore counts per worker process (two workers let
an address through at twice the rate). Mobile carriers put many phones behind one address, so the default is
generous; signed-in callers are never throttled here, and their own limits are the rate limits of their actions.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from api.authentication import principal_of
from core.metrics import RATE_LIMITED
from services.common.limits import address_subject

# At most this many addresses are remembered; the least recently seen are forgotten first (a forgotten address
# starts again with a full bucket, which is the generous side to err on).
MAX_ADDRESSES = 100_000


class AnonymousThrottle:
    def __init__(self, app: ASGIApp, per_minute: int, path: str = "/graphql", prefixes: tuple[str, ...] = ()) -> None:
        """`path`, and every path under `prefixes` (the Open311 view), share one bucket per address."""
        self.app = app
        self.path = path
        self.prefixes = prefixes
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._throttled(scope["path"]) or principal_of(HTTPConnection(scope)):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self._take(address_subject(client[0]) if client else "unknown")
        if wait is None:
            await self.app(scope, receive, send)
            return
        RATE_LIMITED.labels("anonymous.requests").inc()
        await _too_many(wait)(scope, receive, send)

    def _throttled(self, path: str) -> bool:
        return path == self.path or path.startswith(self.prefixes)

    def _take(self, address: str) -> int | None:
        """Take one token; None when there was one, else the whole seconds until there is."""
        now = time.monotonic()
        tokens, then = self.buckets.pop(address, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - then) * self.refill_per_second)
        taken = tokens >= 1
        self.buckets[address] = (tokens - 1 if taken else tokens, now)
        if len(self.buckets) > MAX_ADDRESSES:
            self.buckets.popitem(last=False)
        return None if taken else max(1, int((1 - tokens) / self.refill_per_second) + 1)


def _too_many(retry_after_seconds: int) -> JSONResponse:
    return JSONResponse(
        {
            "data": None,
            "errors": [
                {
                    "message": "Too many requests from your network without signing in; try again shortly.",
                    "extensions": {"code": "RATE_LIMITED", "retryAfterSeconds": retry_after_seconds},
                }
            ],
        },
        status_code=429,
        headers={"Retry-After": str(retry_after_seconds)},
    )
