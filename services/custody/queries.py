"""Who may verify a report's chain of custody, and the verification they get.

Verification re-hashes every original from the store, so it is for the staff of the agency handling the report and
admins only (citizens get FORBIDDEN), and its GraphQL field weighs accordingly in the query cost table. A report the
caller may not see at all behaves as if it did not exist (NOT_FOUND).
"""

from __future__ import annotations

import uuid

from auth.principal import Principal
from core.errors import NotFound
from models.reports import Report
from services.common import policies
from services.custody.verify import ObjectStore, Verification, verify_report


def may_verify(principal: Principal, report: Report) -> bool:
    if policies.is_admin(principal):
        return True
    return policies.is_staff(principal) and principal.agency_id == report.agency_id


async def custody_of(principal: Principal, report_id: uuid.UUID, storage: ObjectStore) -> Verification:
    report = await Report.get_or_none(id=report_id)
    if report is None or not (may_verify(principal, report) or principal.user_id == report.reporter_id):
        raise NotFound("There is no such report.", field="reportId")
    policies.require(
        may_verify(principal, report),
        "Only the staff of the agency handling a report, and admins, verify its chain of custody.",
    )
    return await verify_report(report, storage)
