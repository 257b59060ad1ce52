"""Live consoles end to end: real `graphql-transport-ws` frames against a running server (in-process bus)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from api.signin import token_codec
from core.settings import Settings
from models.agencies import Agency
from models.users import User
from tests.helpers.factories import Caller, token_for
from tests.helpers.graphql import gql, only_data
from tests.helpers.live_env import SUBMITTED, UPDATED, ServerPool
from tests.helpers.reports_api import submitted
from tests.helpers.servers import Server
from tests.helpers.ws import console, error_codes, rejected_with

CONSOLE_ORIGIN = "https://console.example.vn"
DECIDE = """
mutation($id: ID!, $input: DecisionInput!) { decideReport(reportId: $id, input: $input) { id status } }
"""


@pytest.fixture(scope="module")
def server(servers: ServerPool) -> Server:
    return servers.start(EVENTS_URL="memory://", WS_MAX_SUBSCRIPTIONS="3", WS_ALLOWED_ORIGINS=CONSOLE_ORIGIN)


@pytest.fixture
async def http(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        yield client


async def test_each_console_hears_its_own_agency_new_reports_within_a_second(
    server: Server, http: httpx.AsyncClient, citizen: Caller, officer: Caller, other_officer: Caller, admin: Caller
) -> None:
    pc08 = await Agency.get(code="PC08")
    async with (
        console(server.url, officer.token) as police,
        console(server.url, other_officer.token) as ward,
        console(server.url, admin.token) as city,
    ):
        police_op = await police.subscribe(SUBMITTED)
        ward_op = await ward.subscribe(SUBMITTED, {"agency": str(pc08.id)})  # asking for another agency changes nothing
        city_op = await city.subscribe(SUBMITTED)

        started = time.monotonic()
        red_light = await submitted(http, citizen)
        heard = await police.report(police_op, within=1)
        assert time.monotonic() - started < 1
        assert heard == {
            "id": red_light["id"],
            "code": red_light["code"],
            "status": "ROUTED",
            "agency": {"code": "PC08"},
        }

        parking = await submitted(http, citizen, categoryCode="ILLEGAL_PARKING")
        assert parking["agency"]["code"] == "CA-00070"
        # Each console's first report is its own agency's: the other agency's came first and was never sent.
        assert (await ward.report(ward_op))["id"] == parking["id"]
        second_red_light = await submitted(http, citizen)
        assert (await police.report(police_op))["id"] == second_red_light["id"]
        assert [(await city.report(city_op))["id"] for _ in range(3)] == [
            red_light["id"],
            parking["id"],
            second_red_light["id"],
        ]


async def test_an_admin_may_follow_one_agency(
    server: Server, http: httpx.AsyncClient, citizen: Caller, admin: Caller
) -> None:
    ca = await Agency.get(code="CA-00070")
    async with console(server.url, admin.token) as city:
        malformed = await city.next(await city.subscribe(SUBMITTED, {"agency": "PC08"}))
        assert error_codes(malformed) == ["BAD_USER_INPUT"], malformed
        op = await city.subscribe(SUBMITTED, {"agency": str(ca.id)})
        await submitted(http, citizen)
        parking = await submitted(http, citizen, categoryCode="ILLEGAL_PARKING")
        assert (await city.report(op))["id"] == parking["id"]


async def test_the_citizen_hears_the_decision_on_their_report(
    server: Server, http: httpx.AsyncClient, citizen: Caller, officer: Caller, other_officer: Caller
) -> None:
    report = await submitted(http, citizen)
    async with console(server.url, citizen.token) as app, console(server.url, other_officer.token) as outsider:
        op = await app.subscribe(UPDATED, {"id": report["id"]})
        refused = await outsider.next(await outsider.subscribe(UPDATED, {"id": report["id"]}))
        assert error_codes(refused) == ["NOT_FOUND"], refused

        decision = {"outcome": "ACCEPT", "note": "Có hình ảnh rõ.", "responseToCitizen": "Đã tiếp nhận."}
        only_data(await gql(http, DECIDE, {"id": report["id"], "input": decision}, officer.token))
        heard = await app.report(op, within=1)
        assert heard["id"] == report["id"]
        assert heard["status"] == "ACCEPTED"
        assert heard["decisions"] == [{"outcome": "ACCEPT", "responseToCitizen": "Đã tiếp nhận."}]
        assert heard["timeline"][-1] == {"kind": "DECIDED"}


async def test_who_may_not_subscribe(server: Server, citizen: Caller) -> None:
    assert await rejected_with(server.url, None) == 4403
    assert await rejected_with(server.url, "not-a-token") == 4403
    assert await rejected_with(server.url, citizen.token) is None  # the positive control
    async with console(server.url, citizen.token) as app:
        forbidden = await app.next(await app.subscribe(SUBMITTED))
        assert error_codes(forbidden) == ["FORBIDDEN"], forbidden
        unknown = await app.next(await app.subscribe(UPDATED, {"id": "not-an-id"}))
        assert error_codes(unknown) == ["NOT_FOUND"], unknown


async def test_a_console_whose_account_was_disabled_hears_nothing_more(
    server: Server, http: httpx.AsyncClient, citizen: Caller, officer: Caller
) -> None:
    async with console(server.url, officer.token) as police:
        op = await police.subscribe(SUBMITTED)
        await User.filter(id=officer.user.id).update(is_active=False)
        await submitted(http, citizen)
        ended = await police.next(op)
        assert error_codes(ended) == ["UNAUTHENTICATED"], ended
        assert (await police.next(op))["type"] == "complete"


async def test_the_socket_closes_when_its_token_expires(server: Server, settings: Settings, officer: Caller) -> None:
    short = token_codec(dataclasses.replace(settings, access_token_ttl_seconds=2))
    async with console(server.url, token_for(short, officer.user)) as police:
        await police.subscribe(SUBMITTED)
        started = time.monotonic()
        with pytest.raises(ConnectionClosed) as closed:
            await police.next("never", within=5)
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4401, "Token expired")
        assert time.monotonic() - started < 3


async def test_subscriptions_per_connection_are_limited(server: Server, officer: Caller) -> None:
    async with console(server.url, officer.token) as police:
        ops = [await police.subscribe(SUBMITTED, sync=False) for _ in range(4)]
        refused = await police.next(ops[3])
        assert refused["type"] == "error"
        assert refused["payload"][0]["message"] == "Subscription limit reached"


async def test_only_allowed_origins_may_open_a_socket(server: Server, officer: Caller) -> None:
    async with console(server.url, officer.token, origin=CONSOLE_ORIGIN) as police:
        await police.sync()
    with pytest.raises(InvalidStatus) as refused:
        async with console(server.url, officer.token, origin="https://evil.example"):
            pass
    assert refused.value.response.status_code == 403
