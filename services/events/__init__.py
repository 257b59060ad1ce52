"""The event bus: `Event`, `EventBus` and `Subscription`; implementations in `memory` and `redis_bus`."""

from services.events.base import Event, EventBus, Subscription

__all__ = ["Event", "EventBus", "Subscription"]
