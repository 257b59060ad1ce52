"""What travels on the event bus, and the in-process fan-out every bus delivers through.

Each process keeps ONE upstream subscription (Redis) or none (memory) and fans events out to local subscribers. A
local subscriber is registered synchronously by `EventBus.subscribe()`, before the GraphQL stream can yield, so no
event published after that call can slip past it (the first-subscription race of per-subscriber brokers). What a
process cannot hear while its upstream subscription is lost, it cannot deliver: so when the bus subscribes again it
ends every local subscription, the signal for its client to catch up (`reports(filter: { updatedSince })`).

Besides report events the bus carries account changes: a deactivated account is announced to every process, whose
open sockets signed in as that account check it again at once (`watch_account`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

from core.metrics import EVENTS_DELIVERED

logger = logging.getLogger("phananh.events")

QUEUE_SIZE = 1000
SEEN_IDS = 1000


@dataclass(frozen=True)
class Event:
    """A change of a report, by ids only; each subscriber re-reads the report with its own permissions."""

    id: int
    kind: str
    report_id: uuid.UUID
    agency_id: uuid.UUID
    reporter_id: uuid.UUID

    def to_json(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "kind": self.kind,
                "reportId": str(self.report_id),
                "agencyId": str(self.agency_id),
                "reporterId": str(self.reporter_id),
            }
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> Event:
        data = json.loads(raw)
        return cls(
            id=int(data["id"]),
            kind=str(data["kind"]),
            report_id=uuid.UUID(data["reportId"]),
            agency_id=uuid.UUID(data["agencyId"]),
            reporter_id=uuid.UUID(data["reporterId"]),
        )


class BusUnavailable(ConnectionError):
    """The bus could not take a publication (Redis unreachable): the caller keeps the events and tries again later.
    The bus itself logs the outage, once (`services.events.outage`)."""


class Subscription:
    """One local listener. Duplicates (the same event id published twice by relays) are dropped here; a listener
    that falls `QUEUE_SIZE` events behind is ended, and its client refetches with `updatedSince`."""

    def __init__(self, fanout: Fanout) -> None:
        self._fanout = fanout
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self._seen: deque[int] = deque(maxlen=SEEN_IDS)
        self.overflowed = False

    def deliver(self, event: Event) -> None:
        if self._queue.qsize() >= QUEUE_SIZE:
            self.overflowed = True
            self.close()
            logger.warning("a live subscriber fell %d events behind and was ended", QUEUE_SIZE)
            return
        self._queue.put_nowait(event)

    def close(self) -> None:
        """Unregister; an iteration in progress ends after the events already queued."""
        if self._fanout.discard(self):
            self._queue.put_nowait(None)

    async def __aiter__(self) -> AsyncIterator[Event]:
        while (event := await self._queue.get()) is not None:
            if event.id in self._seen:
                continue
            self._seen.append(event.id)
            EVENTS_DELIVERED.inc()
            yield event


class Fanout:
    """The local subscribers of one process."""

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()

    def add(self) -> Subscription:
        subscription = Subscription(self)
        self._subscriptions.add(subscription)
        return subscription

    def discard(self, subscription: Subscription) -> bool:
        if subscription not in self._subscriptions:
            return False
        self._subscriptions.discard(subscription)
        return True

    def deliver(self, event: Event) -> None:
        for subscription in list(self._subscriptions):
            subscription.deliver(event)

    def close_all(self) -> None:
        for subscription in list(self._subscriptions):
            subscription.close()

    def __len__(self) -> int:
        return len(self._subscriptions)


class AccountWatchers:
    """What to do, per account, when that account may have changed: one callback per open socket of this process."""

    def __init__(self) -> None:
        self._callbacks: dict[uuid.UUID, set[Callable[[], None]]] = {}

    def add(self, user_id: uuid.UUID, callback: Callable[[], None]) -> Callable[[], None]:
        """Register `callback`; return the function that unregisters it."""
        self._callbacks.setdefault(user_id, set()).add(callback)

        def remove() -> None:
            callbacks = self._callbacks.get(user_id, set())
            callbacks.discard(callback)
            if not callbacks:
                self._callbacks.pop(user_id, None)

        return remove

    def notify(self, user_id: uuid.UUID) -> None:
        for callback in list(self._callbacks.get(user_id, ())):
            callback()

    def notify_all(self) -> None:
        for user_id in list(self._callbacks):
            self.notify(user_id)


class EventBus:
    """Publish events to every process; subscribe to those of any process. Implementations: memory, Redis."""

    def __init__(self) -> None:
        self.fanout = Fanout()
        self.accounts = AccountWatchers()

    @property
    def subscribed(self) -> bool:
        """Whether this process hears every event published from now on. A relay publishes only then: an event
        published while its own bus is still subscribing again after an outage would reach nobody here."""
        return True

    def subscribe(self) -> Subscription:
        """Registered at once, before this returns: see the module docstring."""
        return self.fanout.add()

    async def publish(self, events: Sequence[Event]) -> None:
        raise NotImplementedError

    def watch_account(self, user_id: uuid.UUID, on_change: Callable[[], None]) -> Callable[[], None]:
        """Call `on_change` whenever `user_id` is announced as changed, and after this bus lost and regained its
        upstream (an announcement may have been missed meanwhile); return the function that stops watching."""
        return self.accounts.add(user_id, on_change)

    async def announce_account_change(self, user_id: uuid.UUID) -> None:
        """Tell every process that this account lost something (it was deactivated, or its role or agency changed),
        so that the sockets signed in as it check it again now instead of at their next operation."""
        raise NotImplementedError

    async def close(self) -> None:
        self.fanout.close_all()


class Presubscribed(EventBus):
    """`bus`, except that its next `subscribe()` hands out `subscription`, made earlier.

    A live group (`api.live_groups`) subscribes when its first console subscribes, synchronously, so that no event
    published after that moment is missed; the group's GraphQL stream, which asks for a subscription later in its own
    task, gets that one."""

    def __init__(self, bus: EventBus, subscription: Subscription) -> None:
        super().__init__()
        self._bus = bus
        self._subscription: Subscription | None = subscription
        self.fanout = bus.fanout
        self.accounts = bus.accounts

    @property
    def subscribed(self) -> bool:
        return self._bus.subscribed

    def subscribe(self) -> Subscription:
        subscription, self._subscription = self._subscription, None
        return subscription if subscription is not None else self._bus.subscribe()

    async def publish(self, events: Sequence[Event]) -> None:
        await self._bus.publish(events)

    async def announce_account_change(self, user_id: uuid.UUID) -> None:
        await self._bus.announce_account_change(user_id)

    async def close(self) -> None:
        """The bus belongs to the app; only the subscription handed out here is this view's to end."""
        if self._subscription is not None:
            self._subscription.close()
