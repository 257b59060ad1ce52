"""Cross-site request forgery protection for GraphQL multipart uploads, and the content types /graphql serves.

A browser may send a multipart form to any site without asking first; it may not add a custom header without a CORS
preflight, which our CORS policy answers only for allowed origins. So a multipart request to /graphql must carry a
header a plain form cannot (`Apollo-Require-Preflight`, as Apollo's clients send, or `X-Apollo-Operation-Name`).
JSON requests need nothing: `application/json` itself forces a preflight. The other bodies a plain form can send
(`text/plain`, `application/x-www-form-urlencoded`) are no GraphQL request at all: 415, saying what to send instead.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from core.errors import InvalidInput, UnsupportedMediaType

PREFLIGHT_HEADERS = (b"apollo-require-preflight", b"x-apollo-operation-name")
FORM_TYPES = (b"application/x-www-form-urlencoded", b"text/plain")


class MultipartCsrfMiddleware:
    def __init__(self, app: ASGIApp, path: str = "/graphql") -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self.path and scope["method"] == "POST":
            refusal = _refusal(scope)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _refusal(scope: Scope) -> JSONResponse | None:
    headers = dict(scope["headers"])
    content_type = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
    if content_type in FORM_TYPES:
        return _error(
            415,
            UnsupportedMediaType.code,
            f"Content-Type {content_type.decode()} is not a GraphQL request: send JSON with Content-Type: "
            "application/json (or multipart/form-data with Apollo-Require-Preflight: true for uploads).",
        )
    if content_type == b"multipart/form-data" and not any(headers.get(name, b"").strip() for name in PREFLIGHT_HEADERS):
        return _error(400, InvalidInput.code, "Multipart requests must send the header Apollo-Require-Preflight: true.")
    return None


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)
