"""Batched reads for the dataloaders of a page of reports: one query per relation, whatever the page size.

Each takes the caller and applies `visible_q` again, so that no path, however a query is nested, reads a report the
caller may not see or what hangs off it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import TypeVar

from auth.principal import Principal
from models.decisions import Decision
from models.events import ReportEvent
from models.media import Media
from models.reports import Report
from models.users import User
from services.reports.scope import visible_q

ScopedKey = tuple[Principal, uuid.UUID]
T = TypeVar("T", Media, Decision, ReportEvent)


def _principal(keys: Sequence[ScopedKey]) -> Principal:
    """Keys carry the caller so that the loader cache can never serve one caller's rows to another."""
    principals = {principal for principal, _ in keys}
    if len(principals) != 1:
        raise ValueError("a batch mixes callers")
    return principals.pop()


async def reports_by_ids(keys: Sequence[ScopedKey]) -> list[Report | None]:
    principal = _principal(keys)
    ids = list({key for _, key in keys})
    found = {report.id: report for report in await Report.filter(visible_q(principal), id__in=ids)}
    return [found.get(key) for _, key in keys]


async def media_by_reports(keys: Sequence[ScopedKey]) -> list[list[Media]]:
    principal = _principal(keys)
    rows = await Media.filter(visible_q(principal, "report__"), report_id__in=[key for _, key in keys]).order_by(
        "created_at", "id"
    )
    return _grouped(keys, rows)


async def decisions_by_reports(keys: Sequence[ScopedKey]) -> list[list[Decision]]:
    principal = _principal(keys)
    rows = await Decision.filter(visible_q(principal, "report__"), report_id__in=[key for _, key in keys]).order_by(
        "decided_at", "id"
    )
    return _grouped(keys, rows)


async def events_by_reports(keys: Sequence[ScopedKey]) -> list[list[ReportEvent]]:
    principal = _principal(keys)
    rows = await ReportEvent.filter(visible_q(principal, "report__"), report_id__in=[key for _, key in keys]).order_by(
        "at", "id"
    )
    return _grouped(keys, rows)


async def users_by_ids(ids: Sequence[uuid.UUID]) -> list[User | None]:
    """Assignees and reporters; the caller's right to see a reporter is checked before the key is loaded."""
    found = {user.id: user for user in await User.filter(id__in=list(set(ids)))}
    return [found.get(key) for key in ids]


def _grouped(keys: Sequence[ScopedKey], rows: list[T]) -> list[list[T]]:
    by_report: dict[uuid.UUID | None, list[T]] = defaultdict(list)
    for row in rows:
        by_report[row.report_id].append(row)
    return [by_report.get(key, []) for _, key in keys]
