"""A real uvicorn server on 127.0.0.1 for websocket tests, and a `graphql-transport-ws` client for one operation.

The server runs in the test's own event loop with the lifespan off: the suite's database connections are already
open, so the server shares the database with the fixtures on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

PROTOCOL = "graphql-transport-ws"
QUIET_SECONDS = 0.3  # an accepted subscription says nothing until an event: this long without an error is "open"


@asynccontextmanager
async def live_server(app: Any) -> AsyncIterator[str]:
    """Serve `app`; yield its websocket URL for /graphql."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", ws="websockets-sansio"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def open_socket(url: str) -> ClientConnection:
    return await connect(url, subprotocols=[PROTOCOL])  # type: ignore[list-item]


def init_frame(token: str | None) -> str:
    return json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"} if token else {}})


async def subscription_codes(url: str, document: str, variables: dict[str, Any], token: str | None) -> list[str]:
    """The error codes one subscription meets, as a client sees them: a refused connection is UNAUTHENTICATED."""
    async with await open_socket(url) as ws:
        await ws.send(init_frame(token))
        try:
            ack = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
        except ConnectionClosed:
            return ["UNAUTHENTICATED"] if ws.close_code == 4403 else [f"closed {ws.close_code}"]
        assert ack["type"] == "connection_ack", ack
        await ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": document, "variables": variables}})
        )
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=QUIET_SECONDS))
        except TimeoutError:
            return []
        if message["type"] == "error":
            return [error.get("extensions", {}).get("code", "?") for error in message["payload"]]
        if message["type"] == "next":
            return [error.get("extensions", {}).get("code", "?") for error in message["payload"].get("errors", [])]
        return []
