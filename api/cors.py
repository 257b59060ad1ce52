"""Which web pages may call the API: one policy for HTTP (GraphQL, uploads, media) and the websocket.

The origins come from `CORS_ORIGINS` (its deprecated websocket-only alias `WS_ALLOWED_ORIGINS` counts too) and one
pattern, `CORS_ORIGIN_REGEX`, for preview deployments whose host names are made up per branch. Outside production the
pattern defaults to any `localhost`/`127.0.0.1` port, so the frontends' dev servers work without configuration.
Cross-origin scripts may read `X-Request-ID`, the id a support request quotes, and the caching headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from core.settings import Settings

ALLOWED_HEADERS = (
    "authorization",
    "content-type",
    "accept",
    "x-request-id",
    "apollo-require-preflight",
    "x-apollo-operation-name",
    "apollographql-client-name",
    "apollographql-client-version",
    "if-none-match",
)
EXPOSED_HEADERS = ("x-request-id", "etag", "retry-after")
PREFLIGHT_MAX_AGE_SECONDS = 600


@dataclass(frozen=True)
class OriginPolicy:
    origins: frozenset[str]
    pattern: re.Pattern[str] | None

    @classmethod
    def of(cls, settings: Settings) -> OriginPolicy:
        pattern = re.compile(settings.cors_origin_regex) if settings.cors_origin_regex else None
        return cls(frozenset(o.rstrip("/") for o in settings.cors_origins), pattern)

    def allows(self, origin: str) -> bool:
        """The same answer Starlette's CORS middleware gives, for the websocket handshake (which CORS does not cover:
        browsers send no preflight for it, so the server checks `Origin` itself)."""
        origin = origin.rstrip("/")
        if "*" in self.origins or origin in self.origins:
            return True
        return self.pattern is not None and self.pattern.fullmatch(origin) is not None

    def middleware(self) -> Middleware:
        options: dict[str, Any] = {
            "allow_origins": sorted(self.origins),
            "allow_methods": ["GET", "POST"],
            "allow_headers": list(ALLOWED_HEADERS),
            "expose_headers": list(EXPOSED_HEADERS),
            "max_age": PREFLIGHT_MAX_AGE_SECONDS,
        }
        if self.pattern is not None:
            options["allow_origin_regex"] = self.pattern.pattern
        return Middleware(CORSMiddleware, **options)
