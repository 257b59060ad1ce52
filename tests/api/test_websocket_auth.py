"""Websocket authentication with real `graphql-transport-ws` frames against a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import pytest
import strawberry
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from strawberry.schema.config import StrawberryConfig
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from api.app import open_clients
from api.graphql import GraphQLApp
from api.signin import token_codec
from core.settings import Settings
from schema import Query, Schema
from schema.base.errors import ErrorCodes
from schema.base.info import Info
from schema.base.permissions import IsStaff
from schema.base.scalars import SCALAR_MAP
from tests.helpers.factories import Caller
from tests.helpers.live_server import PROTOCOL, init_frame, live_server, open_socket, subscription_codes


@pytest.fixture(scope="module")
async def ws_url(app: Any) -> AsyncIterator[str]:
    async with live_server(app) as url:
        yield url


async def _closed_with(ws: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(ws.recv(), timeout=5)
    return ws.close_code


async def test_a_valid_token_gets_connection_ack(ws_url: str, officer: Caller) -> None:
    async with await open_socket(ws_url) as ws:
        assert ws.subprotocol == PROTOCOL
        await ws.send(init_frame(officer.token))
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
    async with await open_socket(ws_url) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        assert await _closed_with(ws) == 4403


async def test_a_disabled_account_is_closed_4403(ws_url: str, citizen: Caller) -> None:
    citizen.user.is_active = False
    await citizen.user.save()
    async with await open_socket(ws_url) as ws:
        await ws.send(init_frame(citizen.token))
        assert await _closed_with(ws) == 4403


async def test_no_subscribe_before_ack(ws_url: str) -> None:
    async with await open_socket(ws_url) as ws:
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "{ me { id } }"}}))
        assert await _closed_with(ws) == 4401


@strawberry.type
class ToySubscription:
    """Exists only in this test: the schema has no subscription yet, and the permission path must work on sockets."""

    @strawberry.subscription(description="One tick, for staff.", permission_classes=[IsStaff])
    async def tick(self, info: Info) -> AsyncGenerator[str, None]:
        principal = info.context.principal
        assert principal is not None
        yield principal.role.value


@pytest.fixture(scope="module")
async def toy_url(settings: Settings) -> AsyncIterator[str]:
    toy = Schema(
        query=Query,
        subscription=ToySubscription,
        extensions=[ErrorCodes],
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
    )
    app = Starlette(routes=[WebSocketRoute("/graphql", GraphQLApp(toy, settings, token_codec(settings)))])
    async with open_clients(app, settings, workers=False), live_server(app) as url:
        yield url


async def test_permissions_apply_to_subscriptions(toy_url: str, citizen: Caller, officer: Caller) -> None:
    """Also the check that the matrix's websocket runner tells allowed, forbidden and anonymous apart."""
    document = "subscription { tick }"
    assert await subscription_codes(toy_url, document, {}, None) == ["UNAUTHENTICATED"]
    assert await subscription_codes(toy_url, document, {}, citizen.token) == ["FORBIDDEN"]
    assert await subscription_codes(toy_url, document, {}, officer.token) == []
