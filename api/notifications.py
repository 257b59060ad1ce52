"""Answers on Zalo, built from settings: the notifier (the only place that picks one), its retry policy, and the
server's sender, a background task of the lifespan, so a decision never waits for Zalo."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from api.background import background
from core.settings import Settings
from models.enums import NotificationChannel
from services.notifications.base import Notifier
from services.notifications.dispatch import RetryPolicy, run_worker
from services.notifications.outbox import DevNotificationOutbox
from services.notifications.tokens import OaCredentials, OaTokens, TokenCipher
from services.notifications.zalo_oa import ZaloOaNotifier


def oa_tokens(settings: Settings) -> OaTokens:
    """Every OA's credentials by stored key (the default OA's is empty, `services.notifications.routing`)."""
    accounts: dict[str, OaCredentials] = {}
    for oa in settings.zalo_accounts:
        key = "" if oa.key == settings.zalo_default_oa else oa.key
        accounts[key] = OaCredentials(key, oa.app_id, oa.secret_key, oa.access_token, oa.refresh_token)
    return OaTokens(
        settings.zalo_oauth_url,
        accounts,
        TokenCipher(settings.zalo_oa_token_key),
        timedelta(seconds=settings.zalo_oa_refresh_margin_seconds),
    )


def notifier(settings: Settings) -> Notifier | None:
    """None when NOTIFIER=disabled: notifications stay queued until a notifier is configured."""
    if settings.notifier == "zalo-oa":
        return ZaloOaNotifier(settings.zalo_oa_api_url, oa_tokens(settings))
    if settings.notifier == "outbox":
        return DevNotificationOutbox(settings.var_dir / "dev-notifications.jsonl")
    return None


def dev_notification_outbox(settings: Settings) -> DevNotificationOutbox | None:
    """The file answers go to outside production (`NOTIFIER=outbox`); None when another notifier sends them."""
    outbox = notifier(settings)
    return outbox if isinstance(outbox, DevNotificationOutbox) else None


def channels(settings: Settings) -> frozenset[NotificationChannel]:
    """What the notifier delivers: the dev outbox takes every channel; Zalo OA only Zalo messages. No SMS vendor is
    integrated yet, so in production SMS answers to providers (`services.intake`) wait in the queue for one."""
    if settings.notifier == "outbox":
        return frozenset(NotificationChannel)
    return frozenset({NotificationChannel.ZALO})


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
    work = run_worker(sender, retry_policy(settings), settings.notification_poll_seconds, channels=channels(settings))
    async with background(work, "notification-sender") as task:
        yield task
