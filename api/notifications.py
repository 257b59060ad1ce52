"""The server's notification sender: a background task of the lifespan, so a decision never waits for Zalo."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from core.settings import Settings
from services.notifications import build_notifier, retry_policy
from services.notifications.dispatch import run_worker


@asynccontextmanager
async def notification_worker(settings: Settings) -> AsyncIterator[asyncio.Task[None] | None]:
    """Runs while the app does; none with NOTIFICATION_POLL_SECONDS=0 or NOTIFIER=disabled (then the CLI sends)."""
    notifier = build_notifier(settings)
    if notifier is None or settings.notification_poll_seconds == 0:
        yield None
        return
    task = asyncio.create_task(run_worker(notifier, retry_policy(settings), settings.notification_poll_seconds))
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
