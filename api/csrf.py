"""Cross-site request forgery protection for GraphQL multipart uploads.

A browser may send a multipart form to any site without asking first; it may not add a custom header without a CORS
preflight, which our CORS policy answers only for allowed origins. So a multipart request to /graphql must carry a
header a plain form cannot (`Apollo-Require-Preflight`, as Apollo's clients send, or `X-Apollo-Operation-Name`).
JSON requests need nothing: `application/json` itself forces a preflight.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

PREFLIGHT_HEADERS = (b"apollo-require-preflight", b"x-apollo-operation-name")


class MultipartCsrfMiddleware:
    def __init__(self, app: ASGIApp, path: str = "/graphql") -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self.path and _needs_preflight_header(scope):
            response = JSONResponse(
                {
                    "data": None,
                    "errors": [
                        {
                            "message": "Multipart requests must send the header Apollo-Require-Preflight: true.",
                            "extensions": {"code": "BAD_USER_INPUT"},
                        }
                    ],
                },
                status_code=400,
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _needs_preflight_header(scope: Scope) -> bool:
    headers = dict(scope["headers"])
    content_type = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
    if content_type not in (b"multipart/form-data", b"application/x-www-form-urlencoded", b"text/plain"):
        return False
    return not any(headers.get(name, b"").strip() for name in PREFLIGHT_HEADERS)
