"""The transactional outbox and its relay: nothing a console should hear about is lost between commit and publish.

`record` is called inside the transaction of a change, so the event exists exactly when the change does. The relay
publishes unpublished rows in id order and then stamps them. On PostgreSQL it claims a batch with
`FOR UPDATE SKIP LOCKED`, so the relays of several workers share the work without publishing a row twice while they
all live; a relay that dies after publishing but before its commit leaves the rows for the next one, which publishes
them again. That duplicate, and the ones SQLite's simpler publish-then-mark can make, are dropped by subscribers, who
remember the event ids they have seen. State is all in the table, so a restarted relay carries on where it stopped.

The relay wakes when a commit notifies it (PostgreSQL `LISTEN/NOTIFY`, `services.events.wakeup`) and otherwise polls.
When the database or the bus is away it retries with exponential backoff and jitter, and the outage is logged twice:
when it starts and when it ends (`services.events.outage`).

A worker's relay publishes only while its own bus is subscribed (`EventBus.subscribed`): right after an outage Redis
answers a PUBLISH before the subscriptions are back, and drops what nobody hears. A bus that subscribes again ends its
local subscriptions, so consoles on a worker that came back later than this one catch up instead.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

import asyncpg
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import BaseORMException
from tortoise.transactions import in_transaction

from core import clock
from core.metrics import EVENTS_PUBLISHED
from models.outbox import OutboxEvent, OutboxKind
from services.common.sql import Statement, dialect_of
from services.events.base import BusUnavailable, Event, EventBus
from services.events.outage import Outage
from services.events.wakeup import CHANNEL, Polling

logger = logging.getLogger("phananh.outbox")

BATCH = 200
KEEP_PUBLISHED = timedelta(days=1)
PRUNE_EVERY_SECONDS = 3600.0
# What the database raises when it is unreachable or went away mid-statement (asyncpg's own errors are not wrapped).
DATABASE_ERRORS = (BaseORMException, OSError, asyncpg.InterfaceError, asyncpg.PostgresError)
# One statement: the row, and on commit a wake-up for every relay that listens (`services.events.wakeup`).
RECORD_AND_NOTIFY = (
    "recorded AS (INSERT INTO outbox_event (kind, report_id, agency_id, reporter_id, created_at) "
    "VALUES (?, ?, ?, ?, ?) RETURNING id) SELECT pg_notify(?, '') FROM recorded"
)


async def record(
    connection: BaseDBAsyncClient,
    kind: OutboxKind,
    report_id: uuid.UUID,
    agency_id: uuid.UUID,
    reporter_id: uuid.UUID,
    along: Sequence[Statement] = (),
) -> None:
    """Queue an event for the live consoles, in the caller's transaction: rolled back with it, committed with it.
    On PostgreSQL the same statement notifies the relays, which PostgreSQL delivers at commit, and runs the writes
    `along` with it (a submission's timeline and chain of custody: one round trip instead of three)."""
    if dialect_of(connection) == "postgres":
        parts = [f"along_{n} AS ({statement.sql})" for n, statement in enumerate(along)]
        params = [param for statement in along for param in statement.params]
        params += [kind.value, report_id, agency_id, reporter_id, clock.now(), CHANNEL]
        statement = Statement("WITH " + ", ".join([*parts, RECORD_AND_NOTIFY]), tuple(params)).numbered("postgres")
        await connection.execute_query(statement.sql, list(statement.params))
        return
    for statement in along:
        await connection.execute_query(statement.sql, list(statement.params))
    await OutboxEvent.create(
        kind=kind, report_id=report_id, agency_id=agency_id, reporter_id=reporter_id, using_db=connection
    )


def _event(row: OutboxEvent) -> Event:
    return Event(
        id=row.id, kind=row.kind.value, report_id=row.report_id, agency_id=row.agency_id, reporter_id=row.reporter_id
    )


async def relay_once(bus: EventBus) -> int:
    """Publish one batch of unpublished events; return how many. Bus errors propagate and leave the rows pending."""
    if dialect_of(connections.get("default")) == "postgres":
        async with in_transaction() as connection:
            rows = (
                await OutboxEvent.filter(published_at=None)
                .order_by("id")
                .limit(BATCH)
                .select_for_update(skip_locked=True)
                .using_db(connection)
            )
            return await _publish_and_mark(bus, rows, connection)
    rows = await OutboxEvent.filter(published_at=None).order_by("id").limit(BATCH)
    return await _publish_and_mark(bus, rows, None)


async def _publish_and_mark(bus: EventBus, rows: list[OutboxEvent], connection: BaseDBAsyncClient | None) -> int:
    if not rows:
        return 0
    await bus.publish([_event(row) for row in rows])
    EVENTS_PUBLISHED.inc(len(rows))
    query = OutboxEvent.filter(id__in=[row.id for row in rows])
    if connection is not None:
        query = query.using_db(connection)
    await query.update(published_at=clock.now())
    return len(rows)


async def _relay_round(bus: EventBus, wakeup: Polling, prune_due: bool) -> None:
    await wakeup.listen()
    if bus.subscribed:
        await relay_until_empty(bus)
    if prune_due:
        await prune()


async def relay_until_empty(bus: EventBus) -> int:
    total = 0
    while published := await relay_once(bus):
        total += published
    return total


async def prune(older_than: timedelta = KEEP_PUBLISHED, now: datetime | None = None) -> int:
    """Forget events published long ago (a day: far beyond any redelivery); unpublished ones are never removed."""
    cutoff = (now or clock.now()) - older_than
    return await OutboxEvent.filter(published_at__lt=cutoff).delete()


async def run_relay(bus: EventBus, interval_seconds: float, wakeup: Polling | None = None) -> None:
    """The background relay of a worker: drain while the bus is subscribed, then wait for a wake-up (`wakeup`: a
    commit's notification) or `interval_seconds`. An outage of the database or the bus only delays: the relay backs
    off, and each outage is logged once when it starts and once when it ends. Once an hour it also prunes old
    published rows, so the table stays small."""
    wakeup = wakeup or Polling()
    database = Outage(logger, "outbox relay: database")
    next_prune = time.monotonic()
    while True:
        delay = interval_seconds
        try:
            prune_due = time.monotonic() >= next_prune
            # Each round in a task of its own: a transaction whose BEGIN fails (the database went away mid-round)
            # leaves Tortoise's current connection, a context variable, pointing at the connection it gave back to
            # the pool, and every later round of one long-lived task would then fail on it for good.
            await asyncio.create_task(_relay_round(bus, wakeup, prune_due))
            if prune_due:
                next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
            database.recovered()
        except BusUnavailable:
            pass  # the bus logged it; the rows wait, and the relay waits for the bus to be subscribed again
        except DATABASE_ERRORS as exc:
            await wakeup.close()
            delay = database.failed(exc)
            await asyncio.sleep(delay)
            continue
        await wakeup.wait(delay)
