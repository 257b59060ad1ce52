"""Sending queued notifications: due ones are claimed, sent, and on failure retried with exponential backoff.

A claim is a conditional update (same status and attempt count as read) that also pushes `next_attempt_at` a lease
ahead, so several workers (server processes, `phananh send-notifications`) never send one message twice at once,
and a worker that dies mid-send leaves the message to be retried when the lease runs out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import BaseORMException

from core import clock
from core.metrics import NOTIFICATION_ATTEMPTS
from models.enums import NotificationChannel, NotificationStatus
from models.notifications import Notification
from services.notifications.availability import Availability, backoff_seconds
from services.notifications.base import DeliveryFailed, Notifier, OutgoingMessage, ProviderUnavailable

logger = logging.getLogger("phananh.notifications")
LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)
BATCH = 50
# The longest wait between two rounds of the server's sender while the provider or the database is away.
MAX_ROUND_BACKOFF_SECONDS = 300.0


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_seconds: int

    def delay(self, attempts: int) -> timedelta:
        """30 s, 60 s, 2 min... after the 1st, 2nd, 3rd failed attempt, never more than MAX_BACKOFF."""
        return min(MAX_BACKOFF, timedelta(seconds=self.base_seconds * 2 ** min(attempts - 1, 20)))


@dataclass
class DispatchSummary:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    # Why the provider could not be reached, when the round stopped because of it.
    unavailable: str | None = None


async def send_due(
    notifier: Notifier,
    policy: RetryPolicy,
    now: datetime | None = None,
    limit: int = BATCH,
    channels: Collection[NotificationChannel] = tuple(NotificationChannel),
) -> DispatchSummary:
    """Send what is due on `channels` (those `notifier` delivers); the others wait for a notifier of theirs."""
    now = now or clock.now()
    summary = DispatchSummary()
    due = (
        await Notification.filter(
            status=NotificationStatus.PENDING, next_attempt_at__lte=now, channel__in=list(channels)
        )
        .order_by("next_attempt_at", "id")
        .limit(limit)
    )
    for notification in due:
        attempts = notification.attempts + 1
        claimed = await Notification.filter(
            id=notification.id, status=NotificationStatus.PENDING, attempts=notification.attempts
        ).update(attempts=attempts, next_attempt_at=now + LEASE)
        if claimed != 1:
            continue
        message = OutgoingMessage(
            channel=notification.channel.value,
            recipient=notification.recipient,
            text=str(notification.payload.get("text", "")),
            payload=notification.payload,
            oa=notification.oa,
        )
        try:
            await notifier.send(message)
        except DeliveryFailed as exc:
            final = attempts >= policy.max_attempts
            await Notification.filter(id=notification.id).update(
                status=NotificationStatus.FAILED if final else NotificationStatus.PENDING,
                next_attempt_at=now + policy.delay(attempts),
                last_error=str(exc)[:500],
            )
            if final:
                summary.failed += 1
            else:
                summary.retried += 1
            outcome = "failed" if final else "retry"
            if isinstance(exc, ProviderUnavailable):
                # The next messages would fail the same way; the worker says so once (`Availability`).
                NOTIFICATION_ATTEMPTS.labels("unavailable").inc()
                summary.unavailable = str(exc)
                break
            NOTIFICATION_ATTEMPTS.labels(outcome).inc()
            logger.warning("notification %s attempt %s failed: %s", notification.id, attempts, exc)
            continue
        await Notification.filter(id=notification.id).update(
            status=NotificationStatus.SENT, sent_at=clock.now(), last_error=None
        )
        NOTIFICATION_ATTEMPTS.labels("sent").inc()
        summary.sent += 1
    return summary


async def run_worker(
    notifier: Notifier,
    policy: RetryPolicy,
    poll_seconds: float,
    max_backoff_seconds: float = MAX_ROUND_BACKOFF_SECONDS,
    channels: Collection[NotificationChannel] = tuple(NotificationChannel),
) -> None:
    """The server's background sender, until cancelled. While the provider or the database is out of reach it waits
    longer between rounds, and says so in one line when the outage starts and one when it ends."""
    provider = Availability("the notification provider", logger)
    database = Availability("the database (notification sender)", logger)
    while True:
        try:
            summary = await send_due(notifier, policy, channels=channels)
        except (BaseORMException, OSError) as exc:
            database.failed(type(exc).__name__)
        else:
            database.succeeded()
            if summary.unavailable is not None:
                provider.failed(summary.unavailable)
            elif summary.sent or summary.retried or summary.failed:
                provider.succeeded()
        await asyncio.sleep(backoff_seconds(poll_seconds, max_backoff_seconds, provider, database))
