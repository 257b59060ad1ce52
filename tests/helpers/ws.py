"""A `graphql-transport-ws` client for tests: what a console does, frame by frame, over a real websocket."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin, Subprotocol

PROTOCOL = Subprotocol("graphql-transport-ws")
SYNC = "query LiveSync { __typename }"


def ws_url(server_url: str) -> str:
    return server_url.replace("http://", "ws://", 1) + "/graphql"


def init_payload(token: str | None) -> dict[str, Any]:
    return {"authorization": f"Bearer {token}"} if token else {}


class Console:
    """One signed-in socket. Messages are kept per operation id, so tests can wait on one stream at a time."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._inbox: defaultdict[str, deque[dict[str, Any]]] = defaultdict(deque)
        self._ids = itertools.count(1)

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None, *, sync: bool = True) -> str:
        """Start an operation and return its id, by default once the server has taken it up (see `sync`)."""
        op_id = f"op-{next(self._ids)}"
        payload = {"query": query, "variables": variables or {}}
        await self.ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": payload}))
        if sync:
            await self.sync()
        return op_id

    async def sync(self) -> None:
        """A query sent after a subscription completes after the server registered that subscription: the server
        registers a subscriber before it awaits anything, and runs operations in the order they arrive."""
        op_id = f"sync-{next(self._ids)}"
        await self.ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": {"query": SYNC}}))
        while (await self.next(op_id, 10))["type"] != "complete":
            pass

    async def next(self, op_id: str, within: float = 5) -> dict[str, Any]:
        """The next message of an operation: `next` (with its payload), `error` or `complete`."""
        async with asyncio.timeout(within):
            while not self._inbox[op_id]:
                message = json.loads(await self.ws.recv())
                if message["type"] == "ping":
                    await self.ws.send(json.dumps({"type": "pong"}))
                    continue
                self._inbox[message.get("id", "")].append(message)
        return self._inbox[op_id].popleft()

    async def report(self, op_id: str, within: float = 5) -> dict[str, Any]:
        """The next report pushed on a subscription; fails on anything else."""
        message = await self.next(op_id, within)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message["payload"]
        data: dict[str, Any] = next(iter(message["payload"]["data"].values()))
        return data

    async def until_closed(self, op_id: str, within: float = 5) -> tuple[list[dict[str, Any]], int | None, str]:
        """The messages of `op_id` until the server closes the socket, then the close code and reason it gave."""
        messages: list[dict[str, Any]] = []
        try:
            while True:
                messages.append(await self.next(op_id, within))
        except ConnectionClosed as closed:
            frame = closed.rcvd
            return messages, frame.code if frame else None, frame.reason if frame else ""

    async def silent(self, op_id: str, within: float) -> bool:
        """True if nothing arrives for `op_id` within `within` seconds (used after a positive control)."""
        try:
            await self.next(op_id, within)
        except TimeoutError:
            return True
        return False


def error_codes(message: dict[str, Any]) -> list[str]:
    """The codes of an operation's errors: an `error` message (refused before it started) or a `next` with errors."""
    errors = message["payload"] if message["type"] == "error" else message["payload"].get("errors", [])
    return [error.get("extensions", {}).get("code", "") for error in errors]


@asynccontextmanager
async def console(server_url: str, token: str | None, origin: str | None = None) -> AsyncIterator[Console]:
    """Open a socket and sign in with `connection_init`; fails unless the server acknowledges."""
    async with connect(
        ws_url(server_url),
        subprotocols=[PROTOCOL],
        origin=Origin(origin) if origin else None,
        proxy=None,
        open_timeout=10,
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": init_payload(token)}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        yield Console(ws)


async def rejected_with(server_url: str, token: str | None) -> int | None:
    """The close code the server answers a `connection_init` with; None if it acknowledged instead."""
    async with connect(ws_url(server_url), subprotocols=[PROTOCOL], proxy=None) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": init_payload(token)}))
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
        assert message["type"] == "connection_ack", message
        return None
