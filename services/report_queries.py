"""Lists of reports: filters, newest first, keyset pagination with opaque cursors on (submitted_at, id).

Keyset rather than offset pagination, so that a page never repeats or skips a report when new ones arrive while a
console walks the list.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from auth.principal import Principal
from models.enums import Channel, ReportStatus
from models.reports import Report
from services.errors import Forbidden, InvalidInput
from services.plates import normalize_plate
from services.reference import parse_uuid
from services.report_scope import visible_q

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


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


@dataclass(frozen=True)
class Page:
    reports: list[Report]
    has_next_page: bool
    total_count: int

    @property
    def edges(self) -> list[tuple[str, Report]]:
        return [(encode_cursor(report), report) for report in self.reports]

    @property
    def end_cursor(self) -> str | None:
        return encode_cursor(self.reports[-1]) if self.reports else None


def encode_cursor(report: Report) -> str:
    raw = f"{report.submitted_at.astimezone(UTC).isoformat()}|{report.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        submitted_at, report_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        parsed_at = datetime.fromisoformat(submitted_at)
    except (ValueError, binascii.Error, UnicodeError):
        raise InvalidInput("This cursor is not one we gave out.", field="after") from None
    parsed_id = parse_uuid(report_id)
    if parsed_id is None or parsed_at.tzinfo is None:
        raise InvalidInput("This cursor is not one we gave out.", field="after")
    return parsed_at, parsed_id


async def my_reports(principal: Principal, first: int | None, after: str | None) -> Page:
    """The caller's own reports, whatever their role: staff have none, as they do not submit."""
    return await _page(Report.filter(reporter_id=principal.user_id), first, after)


async def list_reports(
    principal: Principal, report_filter: ReportFilter, first: int | None, after: str | None, now: datetime | None = None
) -> Page:
    """Staff lists, scoped first (officers and agency admins: their agency; admins: all), then filtered."""
    if not principal.is_staff:
        raise Forbidden("Only agency staff list reports.")
    query = Report.filter(visible_q(principal)).filter(_filter_q(report_filter, now or datetime.now(UTC)))
    return await _page(query, first, after)


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidInput(f"`first` must be between 1 and {MAX_PAGE_SIZE}.", field="first")
    return first


async def _page(query: QuerySet[Report], first: int | None, after: str | None) -> Page:
    size = page_size(first)
    position = decode_cursor(after) if after else None
    total = await query.count()
    if position is not None:
        submitted_at, report_id = position
        query = query.filter(Q(submitted_at__lt=submitted_at) | Q(submitted_at=submitted_at, id__lt=report_id))
    rows = await query.order_by("-submitted_at", "-id").limit(size + 1)
    return Page(reports=rows[:size], has_next_page=len(rows) > size, total_count=total)


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
        conditions["plate_number"] = normalize_plate(report_filter.plate_number, field="filter.plateNumber")
    query = Q(**conditions)
    if report_filter.overdue is not None:
        late = Q(first_decided_at=None, due_at__lt=now)
        query &= late if report_filter.overdue else ~late
    return query
