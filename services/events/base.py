"""What travels on the event bus, and the in-process fan-out every bus delivers through.

Each process keeps ONE upstream subscription (Redis) or none (memory) and fans events out to local subscribers. A
local subscriber is registered synchronously by `EventBus.subscribe()`, before the GraphQL stream can yield, so no
event published after that call can slip past it (the first-subscription race of per-subscriber brokers).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

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


class EventBus:
    """Publish events to every process; subscribe to those of any process. Implementations: memory, Redis."""

    def __init__(self) -> None:
        self.fanout = Fanout()

    def subscribe(self) -> Subscription:
        """Registered at once, before this returns: see the module docstring."""
        return self.fanout.add()

    async def publish(self, events: Sequence[Event]) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        self.fanout.close_all()
