"""Live fan-out in groups: consoles that see the same thing share one read and one execution per event, a group
never hears another audience's reports, and a console that does not read is closed without holding up the others.

The server runs in this process (`tests.helpers.live_server`), so the statements it runs can be counted and events
published straight onto its in-process bus."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from api.live_groups import SLOW_CONSUMER_CODE
from auth.tokens import TokenCodec
from models.enums import Role
from models.users import User
from services.events import Event, EventBus
from tests.helpers.factories import Caller, make_caller, make_report
from tests.helpers.live_server import PROTOCOL, init_frame, live_server
from tests.helpers.query_count import count_queries

NEW_REPORTS = "subscription { reportSubmitted { id code description agency { code } } }"
FLOOD = 900


def submitted_event(event_id: int, report_id: uuid.UUID, agency_id: uuid.UUID, reporter_id: uuid.UUID) -> Event:
    return Event(id=event_id, kind="SUBMITTED", report_id=report_id, agency_id=agency_id, reporter_id=reporter_id)


@asynccontextmanager
async def subscribed(
    url: str, token: str, *, stalled: bool = False, document: str = NEW_REPORTS
) -> AsyncIterator[ClientConnection]:
    """A signed-in socket with `document` running as operation "live", in place once this yields. A `stalled` one
    reads nothing more after that, with a tiny receive buffer, as a console on a frozen tab or a dead link does."""
    raw = None
    if stalled:
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.setblocking(False)
        host, port = url.removeprefix("ws://").split("/")[0].split(":")
        await asyncio.get_running_loop().sock_connect(raw, (host, int(port)))
    async with connect(
        url, subprotocols=[PROTOCOL], compression=None, max_queue=1 if stalled else 16, sock=raw, proxy=None
    ) as ws:
        await ws.send(init_frame(token))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "live", "type": "subscribe", "payload": {"query": document}}))
        await ws.send(json.dumps({"id": "sync", "type": "subscribe", "payload": {"query": "{ __typename }"}}))
        while json.loads(await asyncio.wait_for(ws.recv(), 5)) != {"id": "sync", "type": "complete"}:
            pass
        yield ws


async def frames(ws: ClientConnection, count: int, within: float = 10) -> list[str]:
    received = []
    async with asyncio.timeout(within):
        while len(received) < count:
            received.append(await ws.recv())
    return received


async def until_closed(ws: ClientConnection, within: float = 10) -> tuple[int, ConnectionClosed]:
    """How many frames arrive before the server closes the socket, and how it closed it."""
    count = 0
    async with asyncio.timeout(within):
        while True:
            try:
                await ws.recv()
            except ConnectionClosed as closed:
                return count, closed
            count += 1


async def silent(ws: ClientConnection, within: float) -> bool:
    try:
        await asyncio.wait_for(ws.recv(), within)
    except TimeoutError:
        return True
    return False


async def pc08_officers(codec: TokenCodec, count: int) -> list[Caller]:
    return [await make_caller(codec, Role.OFFICER, "PC08") for _ in range(count)]


async def statements_for_one_event(app: Any, url: str, callers: list[Caller], citizen: Caller) -> tuple[int, set[str]]:
    """Open a console per caller, publish one event of a PC08 report, and count what the server ran to push it."""
    bus: EventBus = app.state.events
    report = await make_report(citizen.user)
    async with contextlib.AsyncExitStack() as stack:
        sockets = [await stack.enter_async_context(subscribed(url, caller.token)) for caller in callers]
        with count_queries() as log:
            await bus.publish([submitted_event(1, report.id, report.agency_id, citizen.user.id)])
            heard = {await asyncio.wait_for(ws.recv(), 5) for ws in sockets}
    return log.count, heard


async def test_consoles_that_see_the_same_thing_share_one_read_and_one_execution_per_event(
    app: Any, codec: TokenCodec, citizen: Caller
) -> None:
    """Before grouping, each console re-read the report (and checked its account) on its own: statements grew with
    the consoles. Now one console and six cost the same, and all six get the very same bytes."""
    async with live_server(app) as url:
        one, _ = await statements_for_one_event(app, url, await pc08_officers(codec, 1), citizen)
        six, heard = await statements_for_one_event(app, url, await pc08_officers(codec, 6), citizen)
    assert six <= one, (one, six)  # fewer when reference data was cached by the first run
    assert len(heard) == 1
    pushed = json.loads(heard.pop())
    assert pushed["type"] == "next"
    assert pushed["payload"]["data"]["reportSubmitted"]["agency"] == {"code": "PC08"}


async def test_a_group_never_hears_another_agency_s_reports(
    app: Any, codec: TokenCodec, citizen: Caller, other_officer: Caller
) -> None:
    """The same document with the same variables from two agencies: two audiences, two groups."""
    bus: EventBus = app.state.events
    police = await pc08_officers(codec, 2)
    ward_colleague = await make_caller(codec, Role.OFFICER, "CA-00070")
    for_ward = await make_report(citizen.user, "CA-00070")
    for_police = await make_report(citizen.user)
    async with (
        live_server(app) as url,
        subscribed(url, police[0].token) as first,
        subscribed(url, police[1].token) as second,
        subscribed(url, other_officer.token) as ward,
        subscribed(url, ward_colleague.token) as ward_too,
    ):
        await bus.publish([submitted_event(1, for_ward.id, for_ward.agency_id, citizen.user.id)])
        for console in (ward, ward_too):
            assert json.loads(await asyncio.wait_for(console.recv(), 5))["payload"]["data"]["reportSubmitted"][
                "id"
            ] == str(for_ward.id)
        await bus.publish([submitted_event(2, for_police.id, for_police.agency_id, citizen.user.id)])
        for console in (first, second):
            # The first thing a police console hears is its own agency's report: the ward's never reached it.
            assert json.loads(await asyncio.wait_for(console.recv(), 5))["payload"]["data"]["reportSubmitted"][
                "id"
            ] == str(for_police.id)
        assert await silent(ward, 0.3)
        # An event that names PC08 for a report that is now the ward's (transferred since) is re-read as the report is
        # now: nobody at PC08 hears it.
        await bus.publish([submitted_event(3, for_ward.id, for_police.agency_id, citizen.user.id)])
        assert await silent(first, 0.5)


async def test_a_member_whose_account_was_disabled_is_ended_and_the_rest_of_its_group_carries_on(
    app: Any, codec: TokenCodec, citizen: Caller
) -> None:
    bus: EventBus = app.state.events
    stays, leaves = await pc08_officers(codec, 2)
    report = await make_report(citizen.user)
    async with (
        live_server(app) as url,
        subscribed(url, stays.token) as staying,
        subscribed(url, leaves.token) as leaving,
    ):
        await User.filter(id=leaves.user.id).update(is_active=False)
        await bus.publish([submitted_event(1, report.id, report.agency_id, citizen.user.id)])
        ended = json.loads(await asyncio.wait_for(leaving.recv(), 5))
        assert ended["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", ended
        assert json.loads(await asyncio.wait_for(leaving.recv(), 5)) == {"id": "live", "type": "complete"}
        heard = json.loads(await asyncio.wait_for(staying.recv(), 5))
        assert heard["payload"]["data"]["reportSubmitted"]["id"] == str(report.id)


async def test_a_console_that_does_not_read_is_closed_and_delays_nobody(
    app: Any, codec: TokenCodec, citizen: Caller
) -> None:
    """A flood of events to three consoles, one of which stopped reading: the two others get every frame while the
    stalled one is still connected; the stalled one, once it reads again, finds the close code for a slow console."""
    bus: EventBus = app.state.events
    fast, other, slow = await pc08_officers(codec, 3)
    report = await make_report(citizen.user, description="Xe vượt đèn đỏ tại ngã tư. " * 150)
    events = [submitted_event(n, report.id, report.agency_id, citizen.user.id) for n in range(1, FLOOD + 1)]
    async with (
        live_server(app) as url,
        subscribed(url, slow.token, stalled=True) as stalled,
        subscribed(url, fast.token) as first,
        subscribed(url, other.token) as second,
    ):
        await bus.publish(events)
        got_first, got_second = await asyncio.gather(frames(first, FLOOD, 60), frames(second, FLOOD, 60))
        assert len(set(got_first)) == 1
        assert got_first == got_second
        read_late, closed = await until_closed(stalled)
        assert closed.rcvd is not None
        assert (closed.rcvd.code, closed.rcvd.reason) == (SLOW_CONSUMER_CODE, "Console too slow")
        assert read_late < FLOOD
