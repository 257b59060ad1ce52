"""Queueing the answer to a decided report, inside the decision's own transaction: a decision is never recorded
without its notification, nor a notification without its decision, and sending waits for the dispatcher."""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from models.enums import Channel, DecisionOutcome, IdentityProvider, ReportStatus
from models.notifications import Notification
from models.reports import Report
from models.users import Identity

DECISION = "DECISION"
TEXT_MAX = 2000  # the Zalo OA text message limit
STATUS_TEXT = {
    ReportStatus.ACCEPTED: "đã được tiếp nhận, đủ cơ sở xác minh",
    ReportStatus.REJECTED: "không đủ cơ sở xử lý",
    ReportStatus.PENALIZED: "đã được xử phạt",
    ReportStatus.RESOLVED: "đã được xử lý",
}


async def queue_decision(
    connection: BaseDBAsyncClient,
    report: Report,
    outcome: DecisionOutcome,
    status: ReportStatus,
    response_to_citizen: str,
    now: datetime,
) -> int:
    """One notification per Zalo identity of the reporter (none for a citizen known only by phone); returns how many."""
    reporter_id = report.reporter_id
    subjects = (
        await Identity.filter(user_id=reporter_id, provider=IdentityProvider.ZALO)
        .using_db(connection)
        .values_list("subject", flat=True)
    )
    text = f"Phản ánh {report.code} {STATUS_TEXT.get(status, status.value)}."
    if response_to_citizen:
        text = f"{text} {response_to_citizen}"[:TEXT_MAX]
    payload = {"reportId": str(report.id), "reportCode": report.code, "outcome": outcome.value, "status": status.value}
    for subject in subjects:
        await Notification.create(
            user_id=reporter_id,
            channel=Channel.ZALO,
            recipient=str(subject),
            report_id=report.id,
            kind=DECISION,
            payload={**payload, "text": text},
            next_attempt_at=now,
            using_db=connection,
        )
    return len(subjects)
