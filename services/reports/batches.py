"""Batched reads for the dataloaders of a page of reports: one query per relation, whatever the page size.

Each loader's function takes the caller and applies `visible_q` again, so that no path, however a query is nested,
reads a report the caller may not see or what hangs off it. `media_of_page` and `decisions_of_page` take instead the
report rows of a page the caller's rule has just selected, never ids from the client.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from typing import TypeVar

from tortoise import connections
from tortoise.models import Model

from auth.principal import Principal
from models.decisions import Decision
from models.events import ReportEvent
from models.media import Media
from models.reports import Report
from models.users import User
from services.common.sql import Dialect, dialect_of
from services.reports.scope import visible_q

ScopedKey = tuple[Principal, uuid.UUID]
T = TypeVar("T", Media, Decision, ReportEvent)
M = TypeVar("M", Media, Decision)


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


async def media_of_page(reports: Sequence[Report]) -> list[list[Media]]:
    """The photos of a page of reports, in `reports`' order, by one written statement. `reports` are rows the caller
    was allowed to read (a page `visible_q` selected), so what hangs off them is theirs to see: unlike the loaders'
    keys, nothing here comes from the client. The ORM's query building and the join back to the report for the rule
    cost more CPU than the page's fields themselves."""
    ids = [report.id for report in reports]
    return _in_order(ids, await _rows_of(Media, ids))


async def decisions_of_page(reports: Sequence[Report]) -> list[list[Decision]]:
    """Like `media_of_page`, for the decisions."""
    ids = [report.id for report in reports]
    return _in_order(ids, await _rows_of(Decision, ids))


async def _rows_of(model: type[M], report_ids: list[uuid.UUID]) -> list[M]:
    if not report_ids:
        return []
    connection = connections.get("default")
    dialect = dialect_of(connection)
    if dialect == "postgres":
        rows = await connection.execute_query_dict(_of_reports(model, dialect), [report_ids])
    else:
        in_list = ", ".join("?" * len(report_ids))
        rows = await connection.execute_query_dict(
            _of_reports(model, dialect).format(in_list=in_list), [str(report_id) for report_id in report_ids]
        )
    return [model._init_from_db(**row) for row in rows]


@cache
def _of_reports(model: type[Model], dialect: Dialect) -> str:
    """Every column of `model`'s rows of some reports, oldest first (`created_at` or `decided_at`, then `id`, as the
    loaders order them). Only the model's own table and column names are put into the text."""
    columns = ", ".join(sorted(model._meta.db_fields))
    table = model._meta.db_table
    since = "created_at" if model is Media else "decided_at"
    where = "report_id = ANY($1::uuid[])" if dialect == "postgres" else "report_id IN ({in_list})"
    return f"SELECT {columns} FROM {table} WHERE {where} ORDER BY {since}, id"  # noqa: S608


def _in_order(ids: list[uuid.UUID], rows: list[T]) -> list[list[T]]:
    by_report: dict[uuid.UUID | None, list[T]] = defaultdict(list)
    for row in rows:
        by_report[row.report_id].append(row)
    return [by_report.get(key, []) for key in ids]


def _grouped(keys: Sequence[ScopedKey], rows: list[T]) -> list[list[T]]:
    by_report: dict[uuid.UUID | None, list[T]] = defaultdict(list)
    for row in rows:
        by_report[row.report_id].append(row)
    return [by_report.get(key, []) for _, key in keys]
