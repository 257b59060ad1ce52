"""Who may see which report, and which of its fields.

Every read of reports and of what hangs off them goes through `visible_q`, so a report another user may not see
behaves exactly like one that does not exist, batched or not. Within a visible report, some fields are for staff
only (who handles it, the officers' notes, possible duplicates) and the reporter's contact for the handling agency
only: the `may_see_*` rules, which the schema asks for each field.
"""

from __future__ import annotations

import uuid
from typing import Any

from tortoise.expressions import Q

from auth.principal import Principal
from core.errors import NotFound
from core.ids import parse_uuid
from models.reports import Report
from services.common import policies


def visible_q(principal: Principal, prefix: str = "") -> Q:
    """Citizens see their own reports, agency staff their agency's, admins all. `prefix` reaches through a relation
    (`report__`) when filtering media, decisions or events."""
    condition: dict[str, Any]
    if policies.is_admin(principal):
        return Q()
    if policies.is_citizen(principal):
        condition = {f"{prefix}reporter_id": principal.user_id}
    elif principal.agency_id is None:
        condition = {f"{prefix}id": None}
    else:
        condition = {f"{prefix}agency_id": principal.agency_id}
    return Q(**condition)


def may_see_reporter(principal: Principal, agency_id: uuid.UUID) -> bool:
    """Reporter contact details: the staff of the agency the report is assigned to, and admins."""
    if policies.is_admin(principal):
        return True
    return policies.is_staff(principal) and principal.agency_id == agency_id


def may_see_internals(principal: Principal | None) -> bool:
    """The assignee, the officers' internal notes and possible duplicates: staff, never citizens."""
    return policies.is_staff(principal)


def may_see_actor(principal: Principal, actor_id: uuid.UUID) -> bool:
    """Who made a change on the timeline: staff see everyone; a citizen only themselves."""
    return policies.is_staff(principal) or principal.user_id == actor_id


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
