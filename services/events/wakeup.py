"""What the outbox relay waits on between two drains.

On PostgreSQL every `outbox.record` also runs `pg_notify(CHANNEL)` in the same statement; PostgreSQL delivers the
notification when the transaction commits (and never when it rolls back), to every connection that `LISTEN`s on it,
in every worker and replica. The relay of each worker listens on a connection of its own and wakes at once, so a
committed event goes out within milliseconds instead of at the next poll. The notification carries nothing: the
outbox table stays the one durable source, and the relay still polls every `OUTBOX_POLL_MS` in case a notification
was missed (the listening connection was lost, or the relay was busy). On SQLite, which has no such channel, the
relay only polls.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import asyncpg
from tortoise.backends.base.client import BaseDBAsyncClient

CHANNEL = "phananh_outbox"


class Polling:
    """No wake-up signal: the relay looks every `interval` seconds."""

    async def listen(self) -> None:
        """(Re)open the signal's connection when it is lost; nothing to open here."""

    async def wait(self, interval: float) -> None:
        await asyncio.sleep(interval)

    async def close(self) -> None:
        pass


class PostgresWakeup(Polling):
    """`LISTEN` on a connection of its own, opened with the same parameters as the app's pool."""

    def __init__(self, client: BaseDBAsyncClient) -> None:
        self._client: Any = client
        self._connection: asyncpg.Connection | None = None
        self._notified = asyncio.Event()

    async def listen(self) -> None:
        """Raises what asyncpg raises when the database is unreachable; the relay counts that as an outage."""
        if self._connection is not None and not self._connection.is_closed():
            return
        client = self._client
        connection = await asyncpg.connect(
            host=client.host,
            port=client.port,
            user=client.user,
            password=client.password,
            database=client.database,
            timeout=5,
        )
        await connection.add_listener(CHANNEL, self._wake)
        self._connection = connection
        self._notified.set()  # what was committed while nobody listened: drain now

    async def wait(self, interval: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._notified.wait(), interval)
        self._notified.clear()

    async def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(OSError, asyncpg.InterfaceError, asyncpg.PostgresError, TimeoutError):
                await asyncio.wait_for(self._connection.close(), 2)
            self._connection = None

    def _wake(self, *_: object) -> None:
        self._notified.set()
