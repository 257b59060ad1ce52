"""`EVENTS_URL=redis://...`: Redis pub/sub on one channel, one upstream subscription per process.

The reader reconnects by itself when Redis goes away; while it is away, publishing fails (the relay keeps the rows and
retries) and nothing is received. A console that lost its socket, or whose worker lost Redis, refetches what changed
with `reports(filter: { updatedSince })`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

import redis.asyncio as redis
from redis.exceptions import RedisError

from services.events.base import Event, EventBus

logger = logging.getLogger("phananh.events")

RECONNECT_SECONDS = 0.5
TIMEOUT_SECONDS = 2.0


class RedisEventBus(EventBus):
    def __init__(self, url: str, channel: str) -> None:
        super().__init__()
        self.channel = channel
        self._client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS)
        self._listener = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS)
        self._reader: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()

    def start(self) -> None:
        self._reader = asyncio.create_task(self._read_forever(), name="events-reader")

    async def publish(self, events: Sequence[Event]) -> None:
        """Raises `RedisError` (or `OSError`) when Redis is unreachable: the caller keeps the events and retries."""
        async with self._client.pipeline(transaction=False) as pipe:
            for event in events:
                pipe.publish(self.channel, event.to_json())
            await pipe.execute()

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await super().close()
        await self._client.aclose()
        await self._listener.aclose()

    async def _read_forever(self) -> None:
        while True:
            try:
                await self._read()
            except (RedisError, OSError) as exc:
                self.listening.clear()
                logger.warning("event bus: Redis unavailable (%s); retrying", exc.__class__.__name__)
                await asyncio.sleep(RECONNECT_SECONDS)

    async def _read(self) -> None:
        async with self._listener.pubsub(ignore_subscribe_messages=True) as pubsub:
            await pubsub.subscribe(self.channel)
            self.listening.set()
            async for message in pubsub.listen():
                if message.get("type") != "message":
                    continue
                try:
                    event = Event.from_json(message["data"])
                except (ValueError, KeyError, TypeError):
                    logger.warning("event bus: dropped a malformed message")
                    continue
                self.fanout.deliver(event)
