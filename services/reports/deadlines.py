"""The legal clock of verification (Decree 61/2026/NĐ-CP, art. 21): an accepted report ("thụ lý", our ACCEPT) is to
be verified within 30 days from acceptance; the handling agency may extend that once, to at most 60 days, for a
complex case, giving its reason.

Days are counted as the Civil Code (2015, arts. 147-148) counts them, which the Law on Handling Administrative
Violations (art. 8) applies to its periods: the day of acceptance is not counted, the period starts the next day and
ends at the end (24:00, Hanoi time) of its last day; when that day is a Saturday or a Sunday, it ends at the end of
the next Monday. Public holidays are not known to the system and are not skipped. A deadline is stored as the instant
the period ends (a Hanoi midnight, in UTC), so a decision at that instant or before met it, and a report is overdue
only after it.

The deadline is written on the report at acceptance (`workflow.decide_report` asks `verification_deadline`), moved
once here, and judged when the decision that ends verification is taken (`deadline_met`), so lists and statistics
filter and count on plain columns.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from auth.principal import Principal
from core import clock
from core.clock import HANOI_TIME, hanoi_midnight
from core.errors import Conflict, InvalidInput
from models.enums import ReportEventKind, ReportStatus
from models.outbox import OutboxKind
from models.reports import Report
from services.common import policies
from services.events import outbox
from services.reports import timeline
from services.reports.scope import get_visible
from services.statistics import rollup

VERIFICATION_DAYS = 30
EXTENDED_DAYS_MAX = 60
REASON_MAX = 2000


def period_end(accepted_at: datetime, days: int) -> datetime:
    """The instant a period of `days` days from `accepted_at` ends, by the counting rule of the module docstring."""
    last = accepted_at.astimezone(HANOI_TIME).date() + timedelta(days=days)
    while last.weekday() >= 5:
        last += timedelta(days=1)
    return hanoi_midnight(last + timedelta(days=1))


def verification_deadline(accepted_at: datetime) -> datetime:
    return period_end(accepted_at, VERIFICATION_DAYS)


def deadline_within_q(days: int, now: datetime) -> Q:
    """Reports in verification whose deadline ends by the end of the `days`-th Hanoi day from `now`'s (0: today),
    those already past it included: what a console lists as close to the legal deadline."""
    if not 0 <= days <= EXTENDED_DAYS_MAX:
        raise InvalidInput(
            f"legalDeadlineWithinDays must be between 0 and {EXTENDED_DAYS_MAX}.",
            field="filter.legalDeadlineWithinDays",
        )
    horizon = hanoi_midnight(now.astimezone(HANOI_TIME).date() + timedelta(days=days + 1))
    return Q(status=ReportStatus.ACCEPTED, verification_due_at__lte=horizon)


def deadline_met(report: Report, decided_at: datetime, status: ReportStatus) -> bool | None:
    """For the decision moving `report` to `status`: whether it ended verification within its deadline, or None
    when it does not end a verification (no acceptance, no deadline, or the report stays in verification)."""
    if report.verification_due_at is None or report.status is not ReportStatus.ACCEPTED:
        return None
    if status is ReportStatus.ACCEPTED:
        return None
    return decided_at <= report.verification_due_at


async def extend_verification(
    principal: Principal, report_id: str, days: int, reason: str, now: datetime | None = None
) -> Report:
    """The staff of the handling agency (officers, its admin) extend an accepted report's verification once, before
    its deadline passes, to `days` days from acceptance (more than 30, at most 60), with a reason. Everything or
    nothing is written: the report's deadline, a DEADLINE_EXTENDED event with the reason and the new deadline, the
    live event and the rollups, in one transaction whose update holds only if nobody extended or decided meanwhile."""
    policies.require(
        policies.is_agency_staff(principal), "Only the staff of the agency handling a report extend its deadline."
    )
    why = reason.strip()
    if not why or len(why) > REASON_MAX:
        raise InvalidInput(f"An extension needs a reason (up to {REASON_MAX} characters).", field="reason")
    if not VERIFICATION_DAYS < days <= EXTENDED_DAYS_MAX:
        raise InvalidInput(
            f"An extension runs to more than {VERIFICATION_DAYS} and at most {EXTENDED_DAYS_MAX} days from acceptance.",
            field="days",
            maxDays=EXTENDED_DAYS_MAX,
        )
    now = now or clock.now()
    report = await get_visible(principal, report_id)
    if report.status is not ReportStatus.ACCEPTED or report.accepted_at is None or report.verification_due_at is None:
        raise Conflict("Only a report accepted for verification has a deadline to extend.")
    if report.verification_extended_at is not None:
        raise Conflict("This verification was already extended; the decree allows one extension.")
    if report.verification_due_at < now:
        raise Conflict("The verification deadline has already passed; it can no longer be extended.")
    until = period_end(report.accepted_at, days)
    if until <= report.verification_due_at:
        raise InvalidInput("This would not move the deadline (a weekend already carries it there).", field="days")
    changes = {
        "verification_due_at": until,
        "verification_extended_at": now,
        "verification_extension_reason": why,
        "verification_extended_by_id": principal.user_id,
        "updated_at": now,
    }
    async with in_transaction() as connection:
        moved = (
            await Report.filter(
                id=report.id, status=ReportStatus.ACCEPTED, agency_id=report.agency_id, verification_extended_at=None
            )
            .using_db(connection)
            .update(**changes)
        )
        if moved != 1:
            raise Conflict("The report changed meanwhile; reload it and try again.")
        await rollup.apply(connection, rollup.Facts.of_report(report), rollup.Facts.of_report(report, changes))
        await timeline.record(
            connection,
            report.id,
            ReportEventKind.DEADLINE_EXTENDED,
            now,
            principal.user_id,
            reason=why,
            until=until.isoformat(),
        )
        await outbox.record(connection, OutboxKind.UPDATED, report.id, report.agency_id, report.reporter_id)
    return await Report.get(id=report.id)
