"""gzip for answers worth compressing: JSON and pages above `GZIP_MIN_BYTES`, when the client accepts it.

Starlette's `GZipMiddleware` does the work (it skips already-compressed types: images, video, archives, fonts, and
event streams); media downloads are left out whatever their type, since photos and videos are compressed already and a
signed download may be large, and websockets never pass through it. Brotli is not offered: no well-kept package serves
it as ASGI middleware, and gzip already takes the statistics answer to about an eighth.
"""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

UNCOMPRESSED_PREFIXES = ("/media/",)


class CompressionMiddleware:
    def __init__(self, app: ASGIApp, minimum_size: int) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size, compresslevel=6)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNCOMPRESSED_PREFIXES):
            await self.app(scope, receive, send)
            return
        await self.gzip(scope, receive, send)
