"""Lists of reports: filters, newest first, keyset pagination with opaque cursors on (submitted_at, id).

Keyset rather than offset pagination, so that a page never repeats or skips a report when new ones arrive while a
console walks the list.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from auth.principal import Principal
from core import clock
from core.ids import parse_uuid
from models.enums import Channel, ReportStatus
from models.reports import Report
from services.common import policies
from services.common.pagination import Page, keyset_page
from services.reports.deadlines import deadline_within_q
from services.reports.plates import normalise_plate
from services.reports.scope import visible_q
from services.reports.search import newest_matches, search_q, search_terms
from services.reports.status import overdue_q


@dataclass(frozen=True)
class ReportFilter:
    status: ReportStatus | None = None
    category_code: str | None = None
    ward_code: str | None = None
    agency_id: str | None = None
    channel: Channel | None = None
    submitted_from: datetime | None = None
    submitted_to: datetime | None = None
    plate_number: str | None = None
    overdue: bool | None = None
    updated_since: datetime | None = None
    legal_deadline_within_days: int | None = None
    search: str | None = None


async def my_reports(
    principal: Principal, first: int | None, after: str | None, last: int | None = None, before: str | None = None
) -> Page[Report]:
    """The caller's own reports, whatever their role: staff have none, as they do not submit."""
    return await _page(Report.filter(reporter_id=principal.user_id), first, after, last, before)


async def list_reports(
    principal: Principal,
    report_filter: ReportFilter,
    first: int | None,
    after: str | None,
    now: datetime | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Page[Report]:
    """Staff lists, scoped first (officers and agency admins: their agency; admins: all), then filtered; a search
    is paged its own way (`services.reports.search.newest_matches`), in the same order."""
    query = staff_reports(principal, report_filter, now)
    if report_filter.search is not None:
        return await newest_matches(Report.filter(visible_q(principal)), query, first, after, last, before)
    return await _page(query, first, after, last, before)


def staff_reports(principal: Principal, report_filter: ReportFilter, now: datetime | None = None) -> QuerySet[Report]:
    """The reports of a staff list, unordered: `list_reports` pages them for a console, and an export
    (`services.exports`) walks them all, so the two always hold the same reports."""
    policies.require(policies.is_staff(principal), "Only agency staff list reports.")
    return Report.filter(visible_q(principal)).filter(_filter_q(report_filter, now or clock.now()))


async def _page(
    query: QuerySet[Report], first: int | None, after: str | None, last: int | None, before: str | None
) -> Page[Report]:
    return await keyset_page(query, "submitted_at", first, after, last, before)


def _filter_q(report_filter: ReportFilter, now: datetime) -> Q:
    conditions: dict[str, Any] = {}
    if report_filter.status is not None:
        conditions["status"] = report_filter.status
    if report_filter.category_code:
        conditions["category_id"] = report_filter.category_code
    if report_filter.ward_code:
        conditions["ward_id"] = report_filter.ward_code
    if report_filter.agency_id is not None:
        agency_id = parse_uuid(report_filter.agency_id)
        conditions["agency_id"] = agency_id if agency_id is not None else uuid.UUID(int=0)
    if report_filter.channel is not None:
        conditions["channel"] = report_filter.channel
    if report_filter.submitted_from is not None:
        conditions["submitted_at__gte"] = report_filter.submitted_from
    if report_filter.submitted_to is not None:
        conditions["submitted_at__lt"] = report_filter.submitted_to
    if report_filter.updated_since is not None:
        conditions["updated_at__gte"] = report_filter.updated_since
    if report_filter.plate_number:
        conditions["plate_number"] = normalise_plate(report_filter.plate_number, field="filter.plateNumber")
    query = Q(**conditions)
    if report_filter.overdue is not None:
        late = overdue_q(now)
        query &= late if report_filter.overdue else ~late
    if report_filter.legal_deadline_within_days is not None:
        query &= deadline_within_q(report_filter.legal_deadline_within_days, now)
    if report_filter.search is not None:
        query &= search_q(search_terms(report_filter.search))
    return query
