"""What an agency's head sees of it: its staff, its open workload, its overdue reports; and its place in the tree.

Staff, workload and overdue reports are for the agency's own AGENCY_ADMIN and for admins; anyone else asking gets
FORBIDDEN for that agency (a list of agencies answers the others' fields with errors, not silently). Each batch
function serves a dataloader: one query per relation whatever the number of agencies, counts done by the database.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from tortoise.functions import Count

from auth.principal import Principal
from core import clock
from core.errors import Forbidden
from models.agencies import Agency
from models.enums import ReportStatus
from models.reference import Category, Ward
from models.reports import Report
from models.users import User
from services.common import policies
from services.common.pagination import Page
from services.reports.queries import ReportFilter, list_reports
from services.reports.status import OPEN, overdue_q

ScopedAgencyKey = tuple[Principal, uuid.UUID]
T = TypeVar("T")
R = TypeVar("R", Ward, Category)


@dataclass(frozen=True)
class OfficerLoad:
    officer: User | None
    open: int
    overdue: int


@dataclass(frozen=True)
class Workload:
    open: int
    overdue: int
    by_status: list[tuple[ReportStatus, int]]
    by_officer: list[OfficerLoad]


async def staff_by_agencies(keys: Sequence[ScopedAgencyKey]) -> list[list[User] | Forbidden]:
    allowed = [agency_id for principal, agency_id in keys if policies.may_manage_agency(principal, agency_id)]
    by_agency: dict[uuid.UUID | None, list[User]] = defaultdict(list)
    if allowed:
        for user in await User.filter(agency_id__in=allowed).order_by("full_name", "id"):
            by_agency[user.agency_id].append(user)
    return [_allowed_or_forbidden(principal, agency_id, by_agency[agency_id]) for principal, agency_id in keys]


async def workloads_by_agencies(
    keys: Sequence[ScopedAgencyKey], now: datetime | None = None
) -> list[Workload | Forbidden]:
    """Open means not finally decided: ROUTED, ASSIGNED and ACCEPTED (awaiting its penalty or resolution)."""
    now = now or clock.now()
    allowed = list({agency_id for principal, agency_id in keys if policies.may_manage_agency(principal, agency_id)})
    workloads: dict[uuid.UUID, Workload] = {}
    if allowed:
        workloads = await _workloads(allowed, now)
    empty = Workload(open=0, overdue=0, by_status=[], by_officer=[])
    return [
        _allowed_or_forbidden(principal, agency_id, workloads.get(agency_id, empty)) for principal, agency_id in keys
    ]


async def overdue_reports(
    principal: Principal,
    agency_id: uuid.UUID,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> Page[Report]:
    """Reports past their due time without a first decision, through the staff list and its scoping."""
    policies.require_agency_manager(principal, agency_id)
    conditions = ReportFilter(agency_id=str(agency_id), overdue=True)
    return await list_reports(principal, conditions, first, after, last=last, before=before)


async def children_by_agencies(ids: Sequence[uuid.UUID]) -> list[list[Agency]]:
    by_parent: dict[uuid.UUID | None, list[Agency]] = defaultdict(list)
    for agency in await Agency.filter(parent_id__in=list(set(ids))):
        by_parent[agency.parent_id].append(agency)
    return [by_parent[agency_id] for agency_id in ids]


async def wards_by_agencies(ids: Sequence[uuid.UUID]) -> list[list[Ward]]:
    pairs = await Agency.filter(id__in=list(set(ids)), wards__code__isnull=False).values_list("id", "wards__code")
    wards = {ward.code: ward for ward in await Ward.filter(code__in=list({code for _, code in pairs}))}
    return _grouped_pairs(ids, pairs, wards)


async def categories_by_agencies(ids: Sequence[uuid.UUID]) -> list[list[Category]]:
    pairs = await Agency.filter(id__in=list(set(ids)), categories__code__isnull=False).values_list(
        "id", "categories__code"
    )
    categories = {c.code: c for c in await Category.filter(code__in=list({code for _, code in pairs}))}
    return _grouped_pairs(ids, pairs, categories)


def _grouped_pairs(ids: Sequence[uuid.UUID], pairs: list[Any], rows: dict[str, R]) -> list[list[R]]:
    """(agency id, code) pairs from one join, turned into each agency's rows in the rows' own order."""
    codes: dict[uuid.UUID, set[str]] = defaultdict(set)
    for agency_id, code in pairs:
        codes[_uuid(agency_id)].add(code)
    return [[row for code, row in rows.items() if code in codes[agency_id]] for agency_id in ids]


def _allowed_or_forbidden(principal: Principal, agency_id: uuid.UUID, value: T) -> T | Forbidden:
    """The value for an agency's manager; for anyone else the refusal itself, which the loader returns as this
    key's error."""
    try:
        policies.require_agency_manager(principal, agency_id)
    except Forbidden as refusal:
        return refusal
    return value


async def _workloads(agency_ids: list[uuid.UUID], now: datetime) -> dict[uuid.UUID, Workload]:
    open_reports = Report.filter(agency_id__in=agency_ids, status__in=list(OPEN))
    by_status_rows = (
        await open_reports.annotate(n=Count("id")).group_by("agency_id", "status").values("agency_id", "status", "n")
    )
    by_officer_rows = (
        await open_reports.annotate(n=Count("id"), late=Count("id", _filter=overdue_q(now)))
        .group_by("agency_id", "assignee_id")
        .values("agency_id", "assignee_id", "n", "late")
    )
    officer_ids = {row["assignee_id"] for row in by_officer_rows if row["assignee_id"] is not None}
    officers = {user.id: user for user in await User.filter(id__in=officer_ids)} if officer_ids else {}
    statuses: dict[uuid.UUID, list[tuple[ReportStatus, int]]] = defaultdict(list)
    for row in by_status_rows:
        statuses[_uuid(row["agency_id"])].append((ReportStatus(row["status"]), int(row["n"])))
    loads: dict[uuid.UUID, list[OfficerLoad]] = defaultdict(list)
    for row in by_officer_rows:
        assignee = row["assignee_id"]
        officer = officers.get(_uuid(assignee)) if assignee is not None else None
        loads[_uuid(row["agency_id"])].append(OfficerLoad(officer, int(row["n"]), int(row["late"])))
    return {
        agency_id: Workload(
            open=sum(load.open for load in loads[agency_id]),
            overdue=sum(load.overdue for load in loads[agency_id]),
            by_status=sorted(statuses[agency_id], key=lambda pair: OPEN.index(pair[0])),
            by_officer=sorted(loads[agency_id], key=lambda load: (load.officer is None, -load.open)),
        )
        for agency_id in agency_ids
        if agency_id in loads
    }


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
