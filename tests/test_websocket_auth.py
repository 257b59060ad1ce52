"""Websocket authentication with real `graphql-transport-ws` frames against a real uvicorn server on 127.0.0.1.

The server runs in the test's own event loop (lifespan off: the suite's database connections are already open), so
it shares the database with the fixtures on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.factories import Caller

PROTOCOL = "graphql-transport-ws"


@pytest.fixture(scope="module")
async def ws_url(app: Any) -> AsyncIterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", log_level="warning", ws="websockets-sansio")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.01)
    yield f"ws://127.0.0.1:{port}/graphql"
    server.should_exit = True
    await task
    sock.close()


async def _open(url: str) -> ClientConnection:
    return await connect(url, subprotocols=[PROTOCOL])  # type: ignore[list-item]


async def _closed_with(ws: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(ws.recv(), timeout=5)
    return ws.close_code


async def test_a_valid_token_gets_connection_ack(ws_url: str, officer: Caller) -> None:
    async with await _open(ws_url) as ws:
        assert ws.subprotocol == PROTOCOL
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {officer.token}"}}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
        assert ack == {"type": "connection_ack", "payload": {"role": "OFFICER"}}
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), timeout=5))["type"] == "pong"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"authorization": "Bearer not-a-jwt"},
        {"authorization": "Basic dXNlcjpwYXNz"},
        {"authorization": 42},
    ],
)
async def test_no_or_bad_token_is_closed_4403(ws_url: str, payload: dict[str, Any]) -> None:
    async with await _open(ws_url) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        assert await _closed_with(ws) == 4403


async def test_a_disabled_account_is_closed_4403(ws_url: str, citizen: Caller) -> None:
    citizen.user.is_active = False
    await citizen.user.save()
    async with await _open(ws_url) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {citizen.token}"}}))
        assert await _closed_with(ws) == 4403


async def test_no_subscribe_before_ack(ws_url: str) -> None:
    async with await _open(ws_url) as ws:
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "{ me { id } }"}}))
        assert await _closed_with(ws) == 4401
