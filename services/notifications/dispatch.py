"""Sending queued notifications: due ones are claimed, sent, and on failure retried with exponential backoff.

A claim is a conditional update (same status and attempt count as read) that also pushes `next_attempt_at` a lease
ahead, so several workers (server processes, `phananh send-notifications`) never send one message twice at once,
and a worker that dies mid-send leaves the message to be retried when the lease runs out.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import BaseORMException

from core import clock
from models.enums import NotificationStatus
from models.notifications import Notification
from services.notifications.base import DeliveryFailed, Notifier, OutgoingMessage

logger = logging.getLogger("phananh.notifications")
LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)
BATCH = 50


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


async def send_due(
    notifier: Notifier, policy: RetryPolicy, now: datetime | None = None, limit: int = BATCH
) -> DispatchSummary:
    now = now or clock.now()
    summary = DispatchSummary()
    due = (
        await Notification.filter(status=NotificationStatus.PENDING, next_attempt_at__lte=now)
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
            logger.warning("notification %s attempt %s failed: %s", notification.id, attempts, exc)
            if final:
                summary.failed += 1
            else:
                summary.retried += 1
            continue
        await Notification.filter(id=notification.id).update(
            status=NotificationStatus.SENT, sent_at=clock.now(), last_error=None
        )
        summary.sent += 1
    return summary


async def run_worker(notifier: Notifier, policy: RetryPolicy, poll_seconds: float) -> None:
    """The server's background sender, until cancelled. A database hiccup is logged and tried again next round."""
    while True:
        try:
            await send_due(notifier, policy)
        except (BaseORMException, OSError):
            logger.exception("sending notifications failed; trying again in %s s", poll_seconds)
        await asyncio.sleep(poll_seconds)
