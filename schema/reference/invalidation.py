"""Tells every process when an operation changed categories, wards or agencies, once it has committed.

The reference cache (`services.reference.cache`) notes a change the moment the row is saved, inside the operation's
transaction; other processes must hear of it only after the commit, or one of them could read the old row again and
keep it. The end of the operation is that moment for every mutation, whichever service made the change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension

from services.events.base import EventBus
from services.reference.cache import announce, reference_cache, watching_changes


class ReferenceChanges(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:
        changes = watching_changes()
        yield
        if not changes.changed:
            return
        events = getattr(self.execution_context.context, "events", None)
        if isinstance(events, EventBus):
            await announce(events)
        else:
            reference_cache.clear()
