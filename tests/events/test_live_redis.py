"""Many workers, one Redis: events reach consoles on every process, and nothing committed is lost to an outage."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from models.outbox import OutboxEvent, OutboxKind
from tests.helpers.factories import Caller
from tests.helpers.live_env import DEAD_REDIS_URL, REDIS_URL, SUBMITTED, ServerPool, channel, require_redis
from tests.helpers.reports_api import submitted
from tests.helpers.servers import run
from tests.helpers.ws import console


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


async def test_mutations_succeed_while_redis_is_down_and_the_events_go_out_when_a_worker_reaches_it(
    own_servers: ServerPool, redis_channel: str, citizen: Caller
) -> None:
    cut_off = own_servers.start(EVENTS_URL=DEAD_REDIS_URL)
    async with httpx.AsyncClient(base_url=cut_off.url) as http:
        report = await submitted(http, citizen)
    assert (await OutboxEvent.get(report_id=report["id"])).published_at is None
    cut_off.stop()

    own_servers.start(EVENTS_URL=REDIS_URL, EVENTS_CHANNEL=redis_channel)
    for _ in range(100):  # the new worker's relay publishes at startup; another process, so poll the row
        if (await OutboxEvent.get(report_id=report["id"])).published_at is not None:
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the pending event was not published within 5 seconds of Redis being reachable")
