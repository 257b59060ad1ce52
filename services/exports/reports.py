"""The report list export: the rows of the staff list (`services.reports.queries.staff_reports`), newest first.

Rows are read in keyset pages on (submitted_at, id), as plain values (building a model per row would cost more than
writing it), with the last decision of each page's reports in one more statement: two statements per `PAGE_ROWS`
rows (a short page is the last), whatever the size, and no OFFSET, whose cost grows with every page. A page is
written and dropped before the next is read. The reporter's name and phone are filled only where `may_see_reporter`
allows (the handling agency's staff and admins), the rule the `reporter` field follows.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

from tortoise.expressions import Q, RawSQL
from tortoise.queryset import QuerySet

from auth.principal import Principal
from models.decisions import Decision
from models.reports import Report
from services.downloads import Download, Resources
from services.exports import tickets
from services.exports.files import download, hanoi, instant
from services.exports.formats import ExportFormat, Row, Table
from services.reports.queries import ReportFilter, staff_reports
from services.reports.scope import may_see_reporter

KIND = "exports.reports"
PAGE_ROWS = 1000
HANOI = "(giờ Hà Nội, UTC+7)"
HEADER = (
    "Mã phản ánh",
    "Trạng thái",
    f"Tiếp nhận lúc {HANOI}",
    f"Xảy ra lúc {HANOI}",
    "Mã loại",
    "Loại phản ánh",
    "Cơ quan xử lý",
    "Mã phường/xã",
    "Phường/xã",
    "Địa chỉ",
    "Biển số",
    "Kênh",
    f"Hạn xử lý {HANOI}",
    f"Hạn xác minh {HANOI}",
    "Kết quả",
    f"Quyết định lúc {HANOI}",
    "Tiền phạt (đồng)",
    "Tạm giữ phương tiện",
    "Căn cứ pháp lý",
    "Nội dung",
    "Người phản ánh",
    "Điện thoại người phản ánh",
)
# Read through the fields (text, cheap to convert), and as the driver returns them: converting every instant and id
# through its field took most of an export's time on SQLite (`files.instant` reads both drivers' forms).
FIELDS = (
    "code",
    "category_id",
    "category__name",
    "agency__name",
    "ward_id",
    "ward__name",
    "address",
    "plate_number",
    "description",
    "reporter__full_name",
    "reporter__phone",
)
RAW_COLUMNS = (
    "id",
    "status",
    "submitted_at",
    "occurred_at",
    "agency_id",
    "channel",
    "due_at",
    "verification_due_at",
    "fine_amount_vnd",
    "vehicle_impounded",
)
RAW = {f"raw_{column}": RawSQL(f'"report"."{column}"') for column in RAW_COLUMNS}


async def start(
    principal: Principal, wanted: ReportFilter, export_format: ExportFormat, rules: tickets.ExportRules
) -> dict[str, str]:
    """The ticket of a new export, after refusing now what the download would refuse (not staff, a filter that does
    not parse) and taking the rate limit."""
    staff_reports(principal, wanted)
    return await tickets.export_params(principal, wanted, export_format, rules)


async def produce(params: Mapping[str, str], principal: Principal, resources: Resources) -> Download:
    """The registered producer of `KIND`: the caller's list as it is now, in the ticket's format."""
    query = staff_reports(principal, tickets.filter_from(params, ReportFilter))
    table = Table("Phản ánh", HEADER, _rows(principal, query, tickets.max_rows(params)))
    return download("phan-anh", tickets.export_format(params), table)


async def _rows(principal: Principal, query: QuerySet[Report], max_rows: int) -> AsyncIterator[Row]:
    written = 0
    after: Q | None = None
    contact: dict[str, bool] = {}  # by agency: whether the caller reads the reporter's contact
    while True:
        page_query = query if after is None else query.filter(after)
        size = min(PAGE_ROWS, max_rows - written + 1)
        ordered = page_query.annotate(**RAW).order_by("-submitted_at", "-id").limit(size)
        page: list[dict[str, Any]] = await ordered.values(*FIELDS, *RAW)
        if not page:
            return
        decisions = await _last_decisions([uuid.UUID(str(row["raw_id"])) for row in page])
        for row in page:
            if written == max_rows:
                yield (f"… Dừng ở {max_rows:,} dòng (truncated): còn phản ánh khác, hãy lọc hẹp hơn.",)
                return
            written += 1
            agency = str(row["raw_agency_id"])
            if agency not in contact:
                contact[agency] = may_see_reporter(principal, uuid.UUID(agency))
            yield _row(row, decisions.get(str(row["raw_id"])), contact[agency])
        if len(page) < size:
            return
        at, last_id = instant(page[-1]["raw_submitted_at"]), uuid.UUID(str(page[-1]["raw_id"]))
        after = Q(submitted_at__lt=at) | Q(submitted_at=at, id__lt=last_id)


async def _last_decisions(report_ids: list[uuid.UUID]) -> dict[str, dict[str, Any]]:
    """The latest decision of each report (decisions are read oldest first, so the last one read wins)."""
    rows = (
        await Decision.filter(report_id__in=report_ids)
        .order_by("decided_at")
        .values("report_id", "outcome", "decided_at", "legal_basis")
    )
    return {str(row["report_id"]): row for row in rows}


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _row(row: dict[str, Any], decision: dict[str, Any] | None, contact: bool) -> Row:
    fine = row["raw_fine_amount_vnd"]
    return (
        row["code"],
        _text(row["raw_status"]),
        hanoi(row["raw_submitted_at"]),
        hanoi(row["raw_occurred_at"]),
        row["category_id"],
        row["category__name"],
        row["agency__name"],
        row["ward_id"],
        row["ward__name"],
        row["address"],
        row["plate_number"],
        _text(row["raw_channel"]),
        hanoi(row["raw_due_at"]),
        hanoi(row["raw_verification_due_at"]),
        None if decision is None else _text(decision["outcome"]),
        None if decision is None else hanoi(decision["decided_at"]),
        None if fine is None else int(fine),
        "Có" if row["raw_vehicle_impounded"] else "Không",
        None if decision is None else decision["legal_basis"] or None,
        row["description"],
        row["reporter__full_name"] if contact else None,
        row["reporter__phone"] if contact else None,
    )
