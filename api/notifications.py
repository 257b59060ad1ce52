"""Answers on Zalo, built from settings: the notifier (the only place that picks one), its retry policy, and the
server's sender, a background task of the lifespan, so a decision never waits for Zalo."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from core.settings import Settings
from services.notifications.base import Notifier
from services.notifications.dispatch import RetryPolicy, run_worker
from services.notifications.outbox import DevNotificationOutbox
from services.notifications.zalo_oa import ZaloOaNotifier


def notifier(settings: Settings) -> Notifier | None:
    """None when NOTIFIER=disabled: notifications stay queued until a notifier is configured."""
    if settings.notifier == "zalo-oa":
        assert settings.zalo_oa_access_token is not None, "Settings.validate requires the token"
        return ZaloOaNotifier(settings.zalo_oa_api_url, settings.zalo_oa_access_token)
    if settings.notifier == "outbox":
        return DevNotificationOutbox(settings.var_dir / "dev-notifications.jsonl")
    return None


def dev_notification_outbox(settings: Settings) -> DevNotificationOutbox | None:
    """The file answers go to outside production (`NOTIFIER=outbox`); None when another notifier sends them."""
    outbox = notifier(settings)
    return outbox if isinstance(outbox, DevNotificationOutbox) else None


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.notification_max_attempts, base_seconds=settings.notification_retry_seconds
    )


@asynccontextmanager
async def notification_worker(settings: Settings) -> AsyncIterator[asyncio.Task[None] | None]:
    """Runs while the app does; none with NOTIFICATION_POLL_SECONDS=0 or NOTIFIER=disabled (then the CLI sends)."""
    sender = notifier(settings)
    if sender is None or settings.notification_poll_seconds == 0:
        yield None
        return
    task = asyncio.create_task(run_worker(sender, retry_policy(settings), settings.notification_poll_seconds))
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
