"""A worker's background tasks (the outbox relay, the notification sender, the pool sampler) live exactly as long as
the block that starts them: cancelled and awaited on the way out, so none outlives the database it uses."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any


@asynccontextmanager
async def background(
    work: Coroutine[Any, Any, None], name: str, *, on_end: Callable[[asyncio.Task[None]], None] | None = None
) -> AsyncIterator[asyncio.Task[None]]:
    """`on_end` hears a task that ends by itself (for work meant to run until the worker stops, a bug to report)."""
    task = asyncio.create_task(work, name=name)
    if on_end is not None:
        task.add_done_callback(on_end)
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
