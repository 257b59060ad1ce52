"""What is waiting, read when Prometheus scrapes: the outbox rows not yet published (and how old the oldest is), the
notifications not yet sent and those given up. One aggregate statement each, on indexed columns: a scrape every
15 s costs the database next to nothing, and the numbers are the database's, whichever worker answers the scrape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.functions import Count, Min

from core import clock
from models.enums import NotificationStatus
from models.notifications import Notification
from models.outbox import OutboxEvent


@dataclass(frozen=True)
class Backlogs:
    outbox_pending: int
    outbox_oldest_age_seconds: float
    notifications_pending: int
    notifications_failed: int


async def read_backlogs(now: datetime | None = None) -> Backlogs:
    now = now or clock.now()
    outbox = (
        await OutboxEvent.filter(published_at=None)
        .annotate(pending=Count("id"), oldest=Min("created_at"))
        .values("pending", "oldest")
    )
    pending = int(outbox[0]["pending"] or 0) if outbox else 0
    oldest = outbox[0]["oldest"] if outbox else None
    by_status = dict(
        await Notification.filter(status__in=(NotificationStatus.PENDING, NotificationStatus.FAILED))
        .annotate(count=Count("id"))
        .group_by("status")
        .values_list("status", "count")
    )
    return Backlogs(
        outbox_pending=pending,
        outbox_oldest_age_seconds=_age(oldest, now),
        notifications_pending=int(by_status.get(NotificationStatus.PENDING, 0)),
        notifications_failed=int(by_status.get(NotificationStatus.FAILED, 0)),
    )


def _age(oldest: object, now: datetime) -> float:
    """0 with nothing waiting; SQLite's aggregate may come back as text."""
    if oldest is None:
        return 0.0
    moment = oldest if isinstance(oldest, datetime) else datetime.fromisoformat(str(oldest))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=now.tzinfo)
    return max(0.0, (now - moment).total_seconds())
