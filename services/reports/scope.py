"""Who may see which report. Every read of reports and of what hangs off them goes through `visible_q`, so a report
another user may not see behaves exactly like one that does not exist, batched or not."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise.expressions import Q

from auth.principal import Principal
from core.errors import NotFound
from core.ids import parse_uuid
from models.enums import Role
from models.reports import Report


def visible_q(principal: Principal, prefix: str = "") -> Q:
    """Citizens see their own reports, agency staff their agency's, admins all. `prefix` reaches through a relation
    (`report__`) when filtering media, decisions or events."""
    condition: dict[str, Any]
    if principal.role is Role.ADMIN:
        return Q()
    if principal.role is Role.CITIZEN:
        condition = {f"{prefix}reporter_id": principal.user_id}
    elif principal.agency_id is None:
        condition = {f"{prefix}id": None}
    else:
        condition = {f"{prefix}agency_id": principal.agency_id}
    return Q(**condition)


def may_see_reporter(principal: Principal, agency_id: uuid.UUID) -> bool:
    """Reporter contact details: the staff of the agency the report is assigned to, and admins."""
    if principal.role is Role.ADMIN:
        return True
    return principal.is_staff and principal.agency_id == agency_id


async def find_visible(principal: Principal, report_id: str) -> Report | None:
    """A report by its public id if the caller may see it; malformed, unknown and hidden ids are all simply None."""
    parsed = parse_uuid(report_id)
    if parsed is None:
        return None
    return await Report.filter(visible_q(principal), id=parsed).first()


async def get_visible(principal: Principal, report_id: str) -> Report:
    report = await find_visible(principal, report_id)
    if report is None:
        raise NotFound("There is no such report.", field="reportId")
    return report
