"""A request id per HTTP request or websocket: taken from a sane `X-Request-ID` or made, and echoed back."""

from __future__ import annotations

import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.request_id import request_id_scope

_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
HEADER = "x-request-id"


class RequestIdMiddleware:
    """Takes a sane `X-Request-ID` from the client (or a proxy) or makes one, and echoes it in the response.

    It wraps the whole application, Starlette's error handling included (`api.app.App`), so that the answer to an
    unhandled error carries the id too. That answer (`api.errors.unhandled_error`) has logged the error with the id;
    what Starlette raises again once it is sent ends here rather than being logged a second time, without the id.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(HEADER.encode(), b"").decode("latin-1")
        request_id = incoming if _ACCEPTABLE.match(incoming) else uuid.uuid4().hex
        answered = False

        async def send_with_id(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                answered = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (HEADER.encode(), request_id.encode())]
            await send(message)

        with request_id_scope(request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                if not answered:
                    raise
