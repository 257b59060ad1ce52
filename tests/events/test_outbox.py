"""The event bus, the outbox and the relay, in process: real Redis, real database, no server."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from redis.exceptions import RedisError

from api.events import open_event_bus
from core.settings import Settings, SettingsError
from models.agencies import Agency
from models.outbox import OutboxEvent, OutboxKind
from services.events import Event, EventBus, Subscription
from services.events.base import QUEUE_SIZE
from services.events.memory import MemoryEventBus
from services.events.outbox import prune, relay_once, relay_until_empty, run_relay
from services.events.redis_bus import RedisEventBus
from tests.helpers.factories import Caller, make_report
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.live_env import DEAD_REDIS_URL, REDIS_PORT, REDIS_URL, channel, require_redis
from tests.helpers.reports_api import report_input, submit, submitted
from tests.helpers.tcp_proxy import tcp_proxy

ASSIGN = """
mutation($id: ID!, $agency: ID, $reason: String) {
  assignReport(reportId: $id, agencyId: $agency, reason: $reason) { id }
}
"""
DECIDE = "mutation($id: ID!, $input: DecisionInput!) { decideReport(reportId: $id, input: $input) { id status } }"
CHANGED_SINCE = (
    "query($since: DateTime!) { reports(filter: { updatedSince: $since }) { edges { node { id status } } } }"
)


def event(event_id: int) -> Event:
    return Event(
        id=event_id, kind="SUBMITTED", report_id=uuid.uuid4(), agency_id=uuid.uuid4(), reporter_id=uuid.uuid4()
    )


async def take(subscription: Subscription, count: int) -> list[int]:
    ids: list[int] = []
    async with asyncio.timeout(3):
        async for received in subscription:
            ids.append(received.id)
            if len(ids) == count:
                break
    return ids


async def test_a_subscriber_is_live_from_the_moment_it_subscribes_and_drops_duplicates() -> None:
    bus = MemoryEventBus()
    early = bus.subscribe()
    await bus.publish([event(1), event(2)])
    late = bus.subscribe()
    await bus.publish([event(2), event(3), event(1), event(4)])
    assert await take(early, 4) == [1, 2, 3, 4]
    assert await take(late, 4) == [2, 3, 1, 4]
    early.close()
    await bus.publish([event(5)])
    assert [e.id async for e in early] == []
    await bus.close()
    assert [e.id async for e in late] == [5]


@pytest.fixture
async def redis_pair() -> AsyncIterator[tuple[RedisEventBus, RedisEventBus]]:
    """Two buses on one channel, as two workers have."""
    require_redis()
    name = channel()
    buses = (RedisEventBus(REDIS_URL, name), RedisEventBus(REDIS_URL, name))
    for bus in buses:
        bus.start()
        await asyncio.wait_for(bus.listening.wait(), 5)
    yield buses
    for bus in buses:
        await bus.close()


async def test_redis_carries_events_between_processes(redis_pair: tuple[RedisEventBus, RedisEventBus]) -> None:
    sender, receiver = redis_pair
    here, there = sender.subscribe(), receiver.subscribe()
    await sender.publish([event(7), event(8)])
    assert await take(there, 2) == [7, 8]
    assert await take(here, 2) == [7, 8]


async def test_a_worker_relay_publishes_only_once_its_bus_hears_the_channel(
    client: httpx.AsyncClient, citizen: Caller
) -> None:
    """Redis answering is not enough: what is published before this bus subscribes is heard by nobody here."""
    require_redis()
    name = channel()
    observer, deaf = RedisEventBus(REDIS_URL, name), RedisEventBus(REDIS_URL, name)
    observer.start()
    await asyncio.wait_for(observer.listening.wait(), 5)
    heard = observer.subscribe()
    report = await submitted(client, citizen)
    relay = asyncio.create_task(run_relay(deaf, 0.02))
    try:
        await asyncio.sleep(0.3)
        assert (await OutboxEvent.get(report_id=report["id"])).published_at is None
        deaf.start()
        event_id = (await OutboxEvent.get(report_id=report["id"])).id
        assert await take(heard, 1) == [event_id]
    finally:
        relay.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await relay
        await observer.close()
        await deaf.close()


async def test_a_bus_that_subscribes_again_ends_its_subscriptions_and_rechecks_its_sockets() -> None:
    """Redis was away for this process: whatever was published meanwhile reached nobody here, so every subscriber is
    told to catch up (its iteration ends) and every watched account is checked again."""
    require_redis()
    async with tcp_proxy(REDIS_PORT) as proxy:
        bus = RedisEventBus(f"redis://127.0.0.1:{proxy.port}/0", channel())
        bus.start()
        await asyncio.wait_for(bus.listening.wait(), 5)
        rechecks: list[uuid.UUID] = []
        account = uuid.uuid4()
        bus.watch_account(account, lambda: rechecks.append(account))
        try:
            before = bus.subscribe()
            await proxy.cut()
            during = bus.subscribe()
            await proxy.restore()
            async with asyncio.timeout(5):
                assert [e.id async for e in before] == []
                assert [e.id async for e in during] == []
            assert bus.subscribed
            assert rechecks == [account]
            after = bus.subscribe()
            await bus.publish([event(1)])
            assert await take(after, 1) == [1]
        finally:
            await bus.close()


async def test_the_outbox_row_is_written_with_the_change_or_not_at_all(
    client: httpx.AsyncClient, citizen: Caller, agency_admin: Caller
) -> None:
    refused = await submit(client, citizen, report_input([str(uuid.uuid4())]))
    assert_refused(refused, "BAD_USER_INPUT")
    assert await OutboxEvent.all().count() == 0

    report = await submitted(client, citizen)
    ca = await Agency.get(code="CA-00070")
    moved = {"id": report["id"], "agency": str(ca.id), "reason": "Thuộc địa bàn phường."}
    only_data(await gql(client, ASSIGN, moved, agency_admin.token))
    rows = await OutboxEvent.all().order_by("id")
    assert [(row.kind, str(row.report_id), str(row.reporter_id)) for row in rows] == [
        (OutboxKind.SUBMITTED, report["id"], str(citizen.user.id)),
        (OutboxKind.TRANSFERRED, report["id"], str(citizen.user.id)),
    ]
    assert [str(row.agency_id) for row in rows] == [report["agency"]["id"], str(ca.id)]


async def test_a_decision_queues_an_update(client: httpx.AsyncClient, citizen: Caller, officer: Caller) -> None:
    report = await make_report(citizen.user)
    decision = {"outcome": "ACCEPT", "responseToCitizen": "Đã tiếp nhận."}
    only_data(await gql(client, DECIDE, {"id": str(report.id), "input": decision}, officer.token))
    conflict = await gql(client, DECIDE, {"id": str(report.id), "input": {"outcome": "REJECT"}}, officer.token)
    assert_refused(conflict, "CONFLICT")
    assert [row.kind for row in await OutboxEvent.filter(report_id=report.id)] == [OutboxKind.UPDATED]


async def test_the_relay_keeps_events_while_the_bus_is_down_and_sends_them_in_order_later(
    client: httpx.AsyncClient, citizen: Caller, settings: Settings
) -> None:
    for _ in range(3):
        await submitted(client, citizen)
    dead = RedisEventBus(DEAD_REDIS_URL, channel())
    with pytest.raises((RedisError, OSError)):
        await relay_once(dead)
    await dead.close()
    assert await OutboxEvent.filter(published_at=None).count() == 3

    async with open_event_bus(settings) as bus:
        listener = bus.subscribe()
        assert await relay_until_empty(bus) == 3
        ids = [row.id for row in await OutboxEvent.all().order_by("id")]
        assert await take(listener, 3) == ids
    assert await OutboxEvent.filter(published_at=None).count() == 0
    assert await relay_once(MemoryEventBus()) == 0


async def test_relays_of_several_workers_publish_each_event_once(
    client: httpx.AsyncClient, citizen: Caller, db_kind: str
) -> None:
    if db_kind != "postgres":
        pytest.skip("SQLite has no row locks: there relays may publish twice and subscribers drop the duplicates")
    for _ in range(6):
        await submitted(client, citizen)
    buses: list[EventBus] = [MemoryEventBus(), MemoryEventBus(), MemoryEventBus()]
    listeners = [bus.subscribe() for bus in buses]
    await asyncio.gather(*(relay_until_empty(bus) for bus in buses))
    for bus in buses:
        await bus.close()
    heard = [e.id for listener in listeners async for e in listener]
    assert sorted(heard) == [row.id for row in await OutboxEvent.all().order_by("id")]


async def test_a_reconnecting_console_catches_up_with_updated_since(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller
) -> None:
    before = await make_report(citizen.user)
    since = datetime.now(UTC)
    missed = await submitted(client, citizen)
    decision = {"outcome": "ACCEPT", "responseToCitizen": "Đã tiếp nhận."}
    only_data(await gql(client, DECIDE, {"id": str(before.id), "input": decision}, officer.token))
    untouched = await make_report(citizen.user)
    await untouched.filter(id=untouched.id).update(updated_at=since - timedelta(minutes=1))
    body = await gql(client, CHANGED_SINCE, {"since": since.isoformat()}, officer.token)
    found = {edge["node"]["id"]: edge["node"]["status"] for edge in only_data(body)["reports"]["edges"]}
    assert found == {missed["id"]: "ROUTED", str(before.id): "ACCEPTED"}


def test_live_settings_come_from_the_environment(settings: Settings) -> None:
    env = {"DATABASE_URL": settings.database_url, "STORAGE_URL": settings.storage_url, "APP_ENV": "test"}
    live = Settings.from_env(
        {
            **env,
            "WS_ALLOWED_ORIGINS": "https://a.vn, https://b.vn",
            "OUTBOX_RELAY": "false",
            "WS_MAX_SUBSCRIPTIONS": "5",
        }
    )
    # WS_ALLOWED_ORIGINS is the deprecated name of CORS_ORIGINS' websocket half.
    assert (live.cors_origins, live.outbox_relay, live.ws_max_subscriptions) == (
        ("https://a.vn", "https://b.vn"),
        False,
        5,
    )
    assert Settings.from_env(env).outbox_relay is True
    for bad in ({"EVENTS_CHANNEL": " "}, {"OUTBOX_POLL_MS": "0"}, {"WS_MAX_SUBSCRIPTIONS": "-1"}):
        with pytest.raises(SettingsError):
            Settings.from_env({**env, **bad})


async def test_a_subscriber_that_falls_too_far_behind_is_ended_not_left_to_grow() -> None:
    bus = MemoryEventBus()
    slow = bus.subscribe()
    await bus.publish([event(i) for i in range(QUEUE_SIZE + 1)])
    assert slow.overflowed
    assert len([e async for e in slow]) == QUEUE_SIZE
    assert len(bus.fanout) == 0


async def test_old_published_events_are_pruned_and_pending_ones_never(
    client: httpx.AsyncClient, citizen: Caller
) -> None:
    for _ in range(3):
        await submitted(client, citizen)
    first, second, pending = await OutboxEvent.all().order_by("id")
    now = datetime.now(UTC)
    await OutboxEvent.filter(id=first.id).update(published_at=now - timedelta(days=2))
    await OutboxEvent.filter(id=second.id).update(published_at=now - timedelta(hours=1))
    await OutboxEvent.filter(id=pending.id).update(created_at=now - timedelta(days=3))
    assert await prune(now=now) == 1
    assert [row.id for row in await OutboxEvent.all().order_by("id")] == [second.id, pending.id]
