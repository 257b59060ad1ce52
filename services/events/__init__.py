"""The event bus: `Event`, `EventBus` and `Subscription`; implementations in `memory` and `redis_bus`."""

from services.events.base import BusUnavailable, Event, EventBus, Presubscribed, Subscription

__all__ = ["BusUnavailable", "Event", "EventBus", "Presubscribed", "Subscription"]
