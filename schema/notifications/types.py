"""One message to the citizen about a report, as its staff see it."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.notifications import Notification
from schema.base.enums import NotificationStatus
from schema.base.info import Info


@strawberry.type(
    name="ReportNotification",
    description="A message to the citizen about the report on Zalo: queued, sent, given up, or not sent and why.",
)
class ReportNotificationType:
    kind: str = strawberry.field(
        description="ACCEPTED (accepted for verification), TRANSFERRED (to another agency) or DECISION."
    )
    status: NotificationStatus = strawberry.field(description="Where it stands.")
    text: str = strawberry.field(description="What the citizen reads.")
    attempts: int = strawberry.field(description="How many times sending was tried.")
    created_at: datetime = strawberry.field(description="When it was queued.")
    sent_at: datetime | None = strawberry.field(description="When Zalo took it; null until then.")
    reason: str | None = strawberry.field(
        description="Why it was not sent (SKIPPED: no OA may reach the citizen), or the last failure; null otherwise."
    )
    stored_oa: strawberry.Private[str]

    @strawberry.field(description="The key of the Zalo OA it goes through (e.g. `maintenance`).")
    def zalo_oa(self, info: Info) -> str:
        return info.context.providers.zalo_apps.key_of(self.stored_oa)

    @classmethod
    def from_model(cls, notification: Notification) -> ReportNotificationType:
        return cls(
            kind=notification.kind,
            status=notification.status,
            text=str(notification.payload.get("text", "")),
            attempts=notification.attempts,
            created_at=notification.created_at,
            sent_at=notification.sent_at,
            reason=notification.last_error,
            stored_oa=notification.oa,
        )
