"""Websocket authentication with real `graphql-transport-ws` frames against a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import httpx
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
from auth.tokens import TokenCodec
from core.settings import Settings
from models.agencies import Agency
from models.enums import ReportStatus, Role
from models.reports import Report
from models.users import User
from schema import Query, Schema
from schema.base.errors import ErrorCodes
from schema.base.info import Info
from schema.base.permissions import IsStaff
from schema.base.scalars import SCALAR_MAP
from tests.helpers.factories import Caller, make_caller, make_report
from tests.helpers.graphql import gql, only_data
from tests.helpers.live_env import SET_ACTIVE, SUBMITTED
from tests.helpers.live_server import PROTOCOL, init_frame, live_server, open_socket, subscription_codes
from tests.helpers.ws import console, error_codes, rejected_with

READ_REPORTER = "query($id: ID!) { report(id: $id) { id reporter { phone } } }"
REJECT = """
mutation($id: ID!) {
  decideReport(reportId: $id, input: { outcome: REJECT, responseToCitizen: "Không đủ căn cứ." }) { id status }
}
"""
ACCOUNT_CHANGED = (4403, "Account changed")


@pytest.fixture(scope="module")
async def ws_url(app: Any) -> AsyncIterator[str]:
    async with live_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def server_url(ws_url: str) -> str:
    """The same server as `tests.helpers.ws` names it: that helper adds the scheme and the path itself."""
    return ws_url.replace("ws://", "http://", 1).removesuffix("/graphql")


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


@pytest.mark.parametrize(
    "change",
    [{"is_active": False}, {"role": Role.AGENCY_ADMIN}, {"agency": "CA-00070"}],
    ids=["deactivated", "promoted", "moved"],
)
@pytest.mark.parametrize("operation", ["read", "decide"])
async def test_every_operation_on_a_socket_checks_the_account_again(
    server_url: str, citizen: Caller, officer: Caller, change: dict[str, object], operation: str
) -> None:
    """The account changed where no announcement reached this socket (an administrator's SQL): the next operation is
    refused and the socket closed, as the next HTTP request would be re-authenticated."""
    report = await make_report(citizen.user)
    async with console(server_url, officer.token) as police:
        read = await police.subscribe(READ_REPORTER, {"id": str(report.id)}, sync=False)
        assert (await police.report(read))["reporter"] == {"phone": citizen.user.phone}  # the positive control
        if "agency" in change:
            change = {"agency_id": (await Agency.get(code=change["agency"])).id}
        await User.filter(id=officer.user.id).update(**change)
        document = READ_REPORTER if operation == "read" else REJECT
        op = await police.subscribe(document, {"id": str(report.id)}, sync=False)
        messages, *closed = await police.until_closed(op)
    assert [message["type"] for message in messages] == ["error"], messages
    assert error_codes(messages[0]) == ["UNAUTHENTICATED"], messages
    assert tuple(closed) == ACCOUNT_CHANGED
    assert (await Report.get(id=report.id)).status is ReportStatus.ROUTED


async def test_a_changed_role_reconnects_with_the_same_token_as_what_it_now_is(
    ws_url: str, server_url: str, officer: Caller
) -> None:
    async with console(server_url, officer.token) as police:
        await User.filter(id=officer.user.id).update(role=Role.AGENCY_ADMIN)
        op = await police.subscribe(SUBMITTED, sync=False)
        assert (await police.until_closed(op))[1:] == ACCOUNT_CHANGED
    async with await open_socket(ws_url) as ws:
        await ws.send(init_frame(officer.token))
        ack = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
    assert ack == {"type": "connection_ack", "payload": {"role": "AGENCY_ADMIN"}}


async def test_deactivating_an_account_over_http_closes_its_sockets_at_once(
    server_url: str, client: httpx.AsyncClient, codec: TokenCodec, officer: Caller, admin: Caller
) -> None:
    colleague = await make_caller(codec, Role.OFFICER, "PC08")
    async with console(server_url, officer.token) as police, console(server_url, colleague.token) as other:
        op = await police.subscribe(SUBMITTED)
        other_op = await other.subscribe(SUBMITTED)
        only_data(await gql(client, SET_ACTIVE, {"id": str(colleague.user.id), "active": False}, admin.token))
        assert (await other.until_closed(other_op, within=3)) == ([], *ACCOUNT_CHANGED)
        assert await police.silent(op, 0.5)  # another account's change leaves this socket alone
        await police.sync()
        only_data(await gql(client, SET_ACTIVE, {"id": str(officer.user.id), "active": True}, admin.token))
        assert await police.silent(op, 0.5)  # and so does a change that takes nothing away
    assert await rejected_with(server_url, colleague.token) == 4403
