"""`EVENTS_URL=redis://...`: Redis pub/sub, one upstream subscription per process to two channels, `<prefix>:reports`
(report events) and `<prefix>:accounts` (account changes).

The reader reconnects by itself when Redis goes away (redis-py's own silent reconnect is off, so a lost subscription
is always seen), with exponential backoff and jitter; an outage is logged once when it starts and once when the
subscription is back, whether the reader or a publication met it first (`services.events.outage`). While it is
away, publishing fails (the relay keeps the rows and retries) and nothing is received;
`subscribed` is false, so this process's relay waits even once Redis answers again. Each time the subscription is
confirmed, every local subscription is ended (its client catches up with `reports(filter: { updatedSince })`) and
every open socket checks its account again: whatever was published meanwhile was heard by nobody here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Sequence
from typing import Any

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from services.events.base import BusUnavailable, Event, EventBus
from services.events.outage import Outage

logger = logging.getLogger("phananh.events")

TIMEOUT_SECONDS = 2.0


class RedisEventBus(EventBus):
    def __init__(self, url: str, prefix: str) -> None:
        super().__init__()
        self.channel = f"{prefix}:reports"
        self.accounts_channel = f"{prefix}:accounts"
        # One immediate retry lets a publish through a pooled connection that died with a restarted Redis.
        self._client = redis.Redis.from_url(
            url,
            socket_connect_timeout=TIMEOUT_SECONDS,
            socket_timeout=TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 1),
        )
        self._listener = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS, retry=Retry(NoBackoff(), 0))
        self._reader: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()
        self.outage = Outage(logger, "event bus: Redis")

    @property
    def subscribed(self) -> bool:
        """Only once Redis confirmed the subscription: a bus that was never started never is (`relay --once`
        publishes through `relay_until_empty`, which does not ask)."""
        return self.listening.is_set()

    def start(self) -> None:
        self._reader = asyncio.create_task(self._read_forever(), name="events-reader")

    async def publish(self, events: Sequence[Event]) -> None:
        """Raises `BusUnavailable` when Redis is unreachable: the caller keeps the events and retries."""
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                for event in events:
                    pipe.publish(self.channel, event.to_json())
                await pipe.execute()
        except (RedisError, OSError) as exc:
            self.outage.failed(exc)
            raise BusUnavailable(f"Redis: {exc.__class__.__name__}") from exc
        if self.subscribed:
            self.outage.recovered()

    async def announce_account_change(self, user_id: uuid.UUID) -> None:
        """Best effort: when Redis is unreachable the change still took effect (every operation on a socket checks
        the account), and each process checks all its sockets again when its subscription comes back."""
        try:
            await self._client.publish(self.accounts_channel, str(user_id))
        except (RedisError, OSError) as exc:
            self.outage.failed(exc)
            logger.info("event bus: account change not announced (%s)", exc.__class__.__name__)

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
                delay = self.outage.failed(ConnectionError("subscription ended"))
            except (RedisError, OSError) as exc:
                delay = self.outage.failed(exc)
            finally:
                self.listening.clear()
            await asyncio.sleep(delay)

    async def _read(self) -> None:
        channels = (self.channel, self.accounts_channel)
        async with self._listener.pubsub() as pubsub:
            await pubsub.subscribe(*channels)
            async for message in pubsub.listen():
                if message.get("type") == "subscribe":
                    if message.get("data") == len(channels):
                        self._subscribed_again()
                elif message.get("type") == "message":
                    self._dispatch(message)

    def _subscribed_again(self) -> None:
        """Redis confirmed both channels: from now on nothing is missed, and what was missed before is announced."""
        self.fanout.close_all()
        self.accounts.notify_all()
        self.listening.set()
        self.outage.recovered()

    def _dispatch(self, message: dict[str, Any]) -> None:
        try:
            if message["channel"] == self.accounts_channel.encode():
                self.accounts.notify(uuid.UUID(bytes(message["data"]).decode()))
            else:
                self.fanout.deliver(Event.from_json(message["data"]))
        except (ValueError, KeyError, TypeError):
            logger.warning("event bus: dropped a malformed message")
