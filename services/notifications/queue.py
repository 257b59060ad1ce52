"""Queueing what the citizen is told, inside the transaction of the move that caused it: a decision or a transfer is
never recorded without its notification, nor a notification without its move, and sending waits for the dispatcher.

Three kinds: ACCEPTED (accepted for verification, an ACCEPT decision), TRANSFERRED (to which agency) and DECISION
(every other decision). Each can be switched off per agency (`Agency.notify_*`): the agency handling the report
decides for its decisions, the agency handing it over for a transfer. Which OA sends is `routing`'s rule; when no OA
may reach the citizen, one SKIPPED row keeps the reason for the staff.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.agencies import Agency
from models.enums import DecisionOutcome, IdentityProvider, NotificationChannel, NotificationStatus, ReportStatus
from models.intake import ReportProvider
from models.notifications import Notification
from models.reports import Report
from models.users import Identity, RefreshToken
from services.notifications import messages, routing

ACCEPTED = "ACCEPTED"
TRANSFERRED = "TRANSFERRED"
DECISION = "DECISION"


def switched_on(agency: Agency, kind: str) -> bool:
    return {ACCEPTED: agency.notify_accepted, TRANSFERRED: agency.notify_transferred, DECISION: agency.notify_decided}[
        kind
    ]


async def queue_decision(
    connection: BaseDBAsyncClient,
    report: Report,
    outcome: DecisionOutcome,
    status: ReportStatus,
    response_to_citizen: str,
    now: datetime,
) -> int:
    """One notification per Zalo identity of the reporter on the answering OA (none for a citizen known only by
    phone, or when the agency switched this kind off); returns how many will be sent."""
    agency = await Agency.filter(id=report.agency_id).using_db(connection).get()
    kind = ACCEPTED if status is ReportStatus.ACCEPTED else DECISION
    if not switched_on(agency, kind):
        return 0
    payload = {"outcome": outcome.value, "status": status.value}
    text = messages.decision_text(report.code, status, response_to_citizen)
    return await _queue(connection, report, agency, kind, text, payload, now)


async def queue_transfer(
    connection: BaseDBAsyncClient, report: Report, sender: Agency, receiver: Agency, now: datetime
) -> int:
    """The citizen is told which agency now handles the report, through the OA that agency answers through."""
    if not switched_on(sender, TRANSFERRED):
        return 0
    payload = {"fromAgencyId": str(sender.id), "toAgencyId": str(receiver.id), "toAgencyName": receiver.name}
    text = messages.transfer_text(report.code, receiver.name)
    return await _queue(connection, report, receiver, TRANSFERRED, text, payload, now)


async def _queue(
    connection: BaseDBAsyncClient,
    report: Report,
    handler: Agency,
    kind: str,
    text: str,
    details: dict[str, Any],
    now: datetime,
) -> int:
    sms = await queue_sms(connection, report, kind, text, details, now)
    route = await routing.route(connection, report.reporter_id, report.zalo_oa, handler)
    if route is None:
        return sms
    payload = {"reportId": str(report.id), "reportCode": report.code, **details, "text": text}
    common: dict[str, Any] = {
        "user_id": report.reporter_id,
        "channel": NotificationChannel.ZALO,
        "oa": route.oa,
        "report_id": report.id,
        "kind": kind,
        "payload": payload,
        "next_attempt_at": now,
        "using_db": connection,
    }
    if route.skipped is not None:
        await Notification.create(recipient="", status=NotificationStatus.SKIPPED, last_error=route.skipped, **common)
        return sms
    for recipient in route.recipients:
        await Notification.create(recipient=recipient, **common)
    return len(route.recipients) + sms


# An SMS in Vietnamese is sent as UCS-2, 67 characters a part of a long message: five parts at most.
SMS_TEXT_MAX = 335


async def app_users(connection: BaseDBAsyncClient, user_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """Those who read answers in an app: a Zalo identity (answered there) or a session ever opened (the city app)."""
    zalo = Identity.filter(user_id__in=list(user_ids), provider=IdentityProvider.ZALO).using_db(connection)
    signed_in = RefreshToken.filter(user_id__in=list(user_ids)).using_db(connection)
    return {
        row["user_id"] for rows in (await zalo.values("user_id"), await signed_in.values("user_id")) for row in rows
    }


async def sms_phone(connection: BaseDBAsyncClient, report: Report) -> str | None:
    """The phone an answer goes to by SMS: that of the provider of a report staff recorded (`services.intake`),
    unless they gave none or read their answers in an app."""
    provider = await ReportProvider.filter(report_id=report.id).using_db(connection).first()
    if provider is None or provider.phone is None or await app_users(connection, [report.reporter_id]):
        return None
    return provider.phone


async def queue_sms(
    connection: BaseDBAsyncClient, report: Report, kind: str, text: str, details: dict[str, Any], now: datetime
) -> int:
    """The same message by SMS to the report's provider when `sms_phone` names one; returns how many (0 or 1)."""
    phone = await sms_phone(connection, report)
    if phone is None:
        return 0
    payload = {"reportId": str(report.id), "reportCode": report.code, **details, "text": text[:SMS_TEXT_MAX]}
    await Notification.create(
        user_id=report.reporter_id,
        channel=NotificationChannel.SMS,
        recipient=phone,
        report_id=report.id,
        kind=kind,
        payload=payload,
        next_attempt_at=now,
        using_db=connection,
    )
    return 1
