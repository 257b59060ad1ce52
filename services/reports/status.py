"""Where a report stands: the status sets every rule speaks of, and when a report is overdue.

- UNDECIDED: ROUTED or ASSIGNED, no decision yet; where ACCEPT, REJECT and transfers start.
- FINAL: REJECTED, PENALIZED, RESOLVED; nothing moves a report out of them.
- OPEN: not final (UNDECIDED, and ACCEPTED awaiting its penalty or resolution); an agency's workload.

A report is overdue while it has no first decision and its due time (the category's service level) has passed, or
while it is in verification (ACCEPTED) and its legal deadline (`services.reports.deadlines`) has passed: one rule,
written once here as a condition on a report, a query filter and an aggregate filter.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.expressions import Q

from models.enums import ReportStatus
from models.reports import Report

UNDECIDED = frozenset({ReportStatus.ROUTED, ReportStatus.ASSIGNED})
FINAL = frozenset({ReportStatus.REJECTED, ReportStatus.PENALIZED, ReportStatus.RESOLVED})
# In workflow order, the order a workload lists them in.
OPEN = tuple(status for status in ReportStatus if status not in FINAL)


def due_at(report: Report) -> datetime | None:
    """What is due next: the verification's legal deadline once accepted, else the first decision's service level."""
    return report.verification_due_at or report.due_at


def is_overdue(report: Report, now: datetime) -> bool:
    if report.status is ReportStatus.ACCEPTED and report.verification_due_at is not None:
        return report.verification_due_at < now
    return report.first_decided_at is None and report.due_at is not None and report.due_at < now


def overdue_q(now: datetime) -> Q:
    """`is_overdue` as a condition on the `report` table (also usable as an aggregate's filter)."""
    in_verification = Q(status=ReportStatus.ACCEPTED, verification_due_at__isnull=False, verification_due_at__lt=now)
    # Without the explicit IS NOT NULL, a report accepted without a deadline would make the condition NULL, and
    # `NOT overdue` would leave it out as well.
    return Q(first_decided_at=None, due_at__lt=now) | in_verification
