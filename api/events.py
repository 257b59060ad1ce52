"""The event bus chosen by `EVENTS_URL`, and the outbox relay, opened for the life of the app (or a CLI command).

This is the only place that picks an implementation; everything past it sees `services.events.EventBus`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tortoise import connections

from api.background import background
from core.settings import Settings
from services.common.sql import dialect_of
from services.events import EventBus
from services.events.memory import MemoryEventBus
from services.events.outbox import run_relay
from services.events.redis_bus import RedisEventBus
from services.events.wakeup import Polling, PostgresWakeup

LISTEN_WAIT_SECONDS = 1.0

logger = logging.getLogger("phananh.outbox")


@asynccontextmanager
async def open_event_bus(settings: Settings, *, listen: bool = True) -> AsyncIterator[EventBus]:
    """`listen=False` opens a publish-only bus, for `relay --once`: a bus that does not listen is never
    `subscribed`, so a running relay (`run_relay`) needs a listening one."""
    bus: EventBus
    if settings.events_url.startswith("memory://"):
        bus = MemoryEventBus()
    else:
        redis_bus = RedisEventBus(settings.events_url, settings.events_channel)
        if listen:
            redis_bus.start()
            # Serve only once this process hears the channel, so the first consoles miss nothing; if Redis is down,
            # start anyway (mutations work without it) and let the reader catch up when it returns.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(redis_bus.listening.wait(), LISTEN_WAIT_SECONDS)
        bus = redis_bus
    try:
        yield bus
    finally:
        await bus.close()


def relay_wakeup() -> Polling:
    """PostgreSQL wakes the relay at each commit (`LISTEN`, one connection per relay); SQLite is polled."""
    client = connections.get("default")
    return PostgresWakeup(client) if dialect_of(client) == "postgres" else Polling()


async def relay_forever(settings: Settings, bus: EventBus) -> None:
    """Publish the outbox as long as the process lives: a worker's background task, or `phananh relay`."""
    wakeup = relay_wakeup()
    try:
        await run_relay(bus, settings.outbox_poll_ms / 1000, wakeup)
    finally:
        await wakeup.close()


@asynccontextmanager
async def running_relay(settings: Settings, bus: EventBus) -> AsyncIterator[None]:
    """The worker's background relay, unless `OUTBOX_RELAY=false` (a separate `phananh relay` does the work)."""
    if not settings.outbox_relay:
        yield
        return
    async with background(relay_forever(settings, bus), "outbox-relay", on_end=_relay_ended):
        yield


def _relay_ended(task: asyncio.Task[None]) -> None:
    """The relay runs until the worker stops: ending before is a bug that would silence live events, so it is loud."""
    if not task.cancelled() and (error := task.exception()) is not None:
        logger.error("outbox relay stopped: live events will not be published by this worker", exc_info=error)
