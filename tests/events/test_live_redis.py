"""Many workers, one Redis: events reach consoles on every process, and nothing committed is lost to an outage."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from models.outbox import OutboxEvent, OutboxKind
from tests.helpers.factories import Caller
from tests.helpers.graphql import gql, only_data
from tests.helpers.live_env import (
    DEAD_REDIS_URL,
    REDIS_PORT,
    REDIS_URL,
    SET_ACTIVE,
    SUBMITTED,
    ServerPool,
    channel,
    require_redis,
)
from tests.helpers.reports_api import submitted
from tests.helpers.servers import run
from tests.helpers.tcp_proxy import tcp_proxy
from tests.helpers.ws import console

CHANGED_SINCE = "query($since: DateTime!) { reports(filter: { updatedSince: $since }) { edges { node { id } } } }"


@pytest.fixture(scope="module")
def redis_channel() -> str:
    require_redis()
    return channel()


async def test_a_report_submitted_on_one_worker_reaches_a_console_on_another(
    own_servers: ServerPool, redis_channel: str, citizen: Caller, officer: Caller
) -> None:
    first = own_servers.start(EVENTS_URL=REDIS_URL, EVENTS_CHANNEL=redis_channel)
    second = own_servers.start(EVENTS_URL=REDIS_URL, EVENTS_CHANNEL=redis_channel)
    async with console(second.url, officer.token) as police, httpx.AsyncClient(base_url=first.url) as http:
        op = await police.subscribe(SUBMITTED)
        report = await submitted(http, citizen)
        heard = await police.report(op, within=1)
    assert heard["id"] == report["id"]
    assert await OutboxEvent.filter(published_at=None).count() == 0


@pytest.fixture
def relayless(own_servers: ServerPool, redis_channel: str) -> str:
    """A worker whose relay is off: what it commits waits in the outbox, as if its relay died after the commit."""
    server = own_servers.start(EVENTS_URL=REDIS_URL, EVENTS_CHANNEL=redis_channel, OUTBOX_RELAY="false")
    return server.url


async def test_an_event_committed_while_no_relay_runs_or_redis_is_down_goes_out_later(
    own_servers: ServerPool, relayless: str, redis_channel: str, citizen: Caller, officer: Caller
) -> None:
    async with console(relayless, officer.token) as police, httpx.AsyncClient(base_url=relayless) as http:
        op = await police.subscribe(SUBMITTED)
        report = await submitted(http, citizen)
        pending = await OutboxEvent.get(report_id=report["id"])
        assert (pending.kind, pending.published_at) == (OutboxKind.SUBMITTED, None)

        down = run(["phananh", "relay", "--once"], own_servers.env(EVENTS_URL=DEAD_REDIS_URL))
        assert down.returncode == 1, down.stdout + down.stderr
        assert "events stay pending" in down.stderr
        assert (await OutboxEvent.get(id=pending.id)).published_at is None

        up = run(["phananh", "relay", "--once"], own_servers.env(EVENTS_URL=REDIS_URL, EVENTS_CHANNEL=redis_channel))
        assert up.returncode == 0, up.stdout + up.stderr
        assert "published 1 pending event(s)" in up.stdout
        assert (await police.report(op, within=2))["id"] == report["id"]
    assert (await OutboxEvent.get(id=pending.id)).published_at is not None


async def _published(report_id: str) -> bool:
    """Whether the relay of another process has stamped the report's event; polled, as that process is not ours."""
    for _ in range(100):
        if (await OutboxEvent.get(report_id=report_id)).published_at is not None:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_mutations_succeed_while_redis_is_down_and_the_events_go_out_when_a_worker_reaches_it(
    own_servers: ServerPool, redis_channel: str, citizen: Caller
) -> None:
    cut_off = own_servers.start(EVENTS_URL=DEAD_REDIS_URL)
    async with httpx.AsyncClient(base_url=cut_off.url) as http:
        report = await submitted(http, citizen)
    assert (await OutboxEvent.get(report_id=report["id"])).published_at is None
    cut_off.stop()

    own_servers.start(EVENTS_URL=REDIS_URL, EVENTS_CHANNEL=redis_channel)
    assert await _published(report["id"]), "not published within 5 seconds of Redis being reachable"


async def test_deactivating_an_account_on_one_worker_closes_its_socket_on_another(
    own_servers: ServerPool, redis_channel: str, officer: Caller, admin: Caller
) -> None:
    first = own_servers.start(EVENTS_URL=REDIS_URL, EVENTS_CHANNEL=redis_channel)
    second = own_servers.start(EVENTS_URL=REDIS_URL, EVENTS_CHANNEL=redis_channel)
    async with console(second.url, officer.token) as police, httpx.AsyncClient(base_url=first.url) as http:
        op = await police.subscribe(SUBMITTED)
        only_data(await gql(http, SET_ACTIVE, {"id": str(officer.user.id), "active": False}, admin.token))
        assert await police.until_closed(op, within=3) == ([], 4403, "Account changed")


async def test_a_console_is_told_to_catch_up_when_its_worker_gets_redis_back(
    own_servers: ServerPool, redis_channel: str, citizen: Caller, officer: Caller
) -> None:
    """Redis goes away for this worker only (a proxy between them is cut); a report is submitted meanwhile. When Redis
    is back the console's subscription is completed, the documented signal to catch up, and the catch-up finds the
    report; a new subscription hears the next report live."""
    async with tcp_proxy(REDIS_PORT) as proxy:
        url = f"redis://127.0.0.1:{proxy.port}/0"
        server = own_servers.start(EVENTS_URL=url, EVENTS_CHANNEL=redis_channel)
        async with console(server.url, officer.token) as police, httpx.AsyncClient(base_url=server.url) as http:
            op = await police.subscribe(SUBMITTED)
            since = datetime.now(UTC)
            await proxy.cut()
            during = await submitted(http, citizen)
            await asyncio.sleep(0.3)  # several relay rounds while Redis is unreachable
            assert (await OutboxEvent.get(report_id=during["id"])).published_at is None
            await proxy.restore()

            assert (await police.next(op, within=5))["type"] == "complete"
            body = await gql(http, CHANGED_SINCE, {"since": since.isoformat()}, officer.token)
            assert [edge["node"]["id"] for edge in only_data(body)["reports"]["edges"]] == [during["id"]]
            assert await _published(during["id"])

            again = await police.subscribe(SUBMITTED)
            after = await submitted(http, citizen)
            assert (await police.report(again, within=2))["id"] == after["id"]
