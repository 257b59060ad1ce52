"""`EVENTS_URL=memory://`: events stay in this process. Right for one worker (the embedded default) and tests;
with several workers or replicas use Redis, or consoles on the other processes hear nothing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from services.events.base import Event, EventBus


class MemoryEventBus(EventBus):
    async def publish(self, events: Sequence[Event]) -> None:
        for event in events:
            self.fanout.deliver(event)

    async def announce_account_change(self, user_id: uuid.UUID) -> None:
        self.accounts.notify(user_id)
