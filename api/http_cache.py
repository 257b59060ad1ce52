"""HTTP caching of GraphQL answers: which operation a request runs, and the `Cache-Control` and ETag it earns.

Only queries sent with GET are cacheable, and only by what they ask: reference data (`categories`, `wards`,
`agencies`) publicly for `REFERENCE_CACHE_SECONDS`, public statistics and hotspots for `STATISTICS_CACHE_SECONDS`;
everything else is `no-store`, and anything sent with a token `private, no-store` (a shared cache must never hand one
person's answer to another). A cacheable answer carries an ETag computed from its bytes, so it changes the moment an
administrator's edit changes the answer; a request whose `If-None-Match` holds it is answered 304 without a body. The
ETag is weak (`W/"..."`): the compression middleware may send the same answer gzipped, which a strong ETag would have
to tell apart.
"""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import Response

from api.operations import Operation
from core.settings import Settings

REFERENCE_FIELDS = frozenset({"categories", "wards", "agencies", "agency"})
STATISTICS_FIELDS = frozenset({"statistics", "hotspots"})
NO_STORE = "no-store"
PRIVATE = "private, no-store"


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
