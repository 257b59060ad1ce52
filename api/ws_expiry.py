"""A websocket lives no longer than the access token it was opened with: the client reconnects with a fresh one."""

from __future__ import annotations

import asyncio
import contextlib
import time

import jwt
from starlette.websockets import WebSocket, WebSocketState

from auth.authentication import bearer_token

TOKEN_EXPIRED_CODE = 4401
TOKEN_EXPIRED_REASON = "Token expired"
_closers: set[asyncio.Task[None]] = set()


def close_when_expired(websocket: WebSocket, authorization: str) -> None:
    """Schedule the close at the token's `exp`. Called only after the token was verified, so its claims are read
    here without checking the signature again."""
    token = bearer_token(authorization)
    if token is None:
        return
    expires_at = jwt.decode(token, options={"verify_signature": False}).get("exp")
    if not isinstance(expires_at, int | float):
        return
    task = asyncio.create_task(_close_at(websocket, float(expires_at)))
    _closers.add(task)
    task.add_done_callback(_closers.discard)


async def _close_at(websocket: WebSocket, expires_at: float) -> None:
    while WebSocketState.DISCONNECTED not in (websocket.application_state, websocket.client_state):
        remaining = expires_at - time.time()
        if remaining <= 0:
            with contextlib.suppress(RuntimeError, OSError):
                await websocket.close(code=TOKEN_EXPIRED_CODE, reason=TOKEN_EXPIRED_REASON)
            return
        await asyncio.sleep(min(remaining, 30.0))
