"""Statistics: what each caller may count, and the figures themselves, aggregated by the database.

Who sees what (the README repeats it for frontends):
- admins: the whole city, or any agency they filter on;
- agency staff (officers, agency admins): their own agency only; naming another agency is FORBIDDEN;
- citizens and anonymous callers: the city's public figures, every filter allowed. Nothing in `Statistics` names
  a person (no officer, no reporter), only counts, money and durations, which the city publishes anyway.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from tortoise import connections

from auth.principal import Principal
from core.clock import HANOI_TIME, hanoi_midnight
from core.errors import Forbidden, InvalidInput
from core.ids import parse_uuid
from models.enums import Channel
from services.common import policies
from services.common.sql import Dialect, dialect_of
from services.statistics import sql
from services.statistics.tables import COUNTER_NAMES, DAYS, DIMENSIONS, HOURS, MONTHS, Interval, Table


class Audience(StrEnum):
    PUBLIC = "PUBLIC"
    CITY = "CITY"
    AGENCY = "AGENCY"


@dataclass(frozen=True)
class StatisticsFilter:
    """Days are Hanoi calendar days, both ends included."""

    date_from: date | None = None
    date_to: date | None = None
    agency_id: str | None = None
    category_code: str | None = None
    ward_code: str | None = None
    channel: Channel | None = None


@dataclass(frozen=True)
class Scope:
    """A filter after the caller's role was applied: the reports the figures count."""

    audience: Audience
    submitted_from: datetime | None = None
    submitted_before: datetime | None = None
    agency_id: uuid.UUID | None = None
    category_code: str | None = None
    ward_code: str | None = None
    channel: Channel | None = None


@dataclass(frozen=True)
class Counters:
    received: int = 0
    accepted: int = 0
    rejected: int = 0
    penalized: int = 0
    resolved: int = 0
    fines_vnd: int = 0
    impounded: int = 0
    within_deadline: int = 0
    after_deadline: int = 0

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Counters:
        """SUM over no rows is NULL, and drivers differ in number types, hence the int(... or 0)."""
        values = [int(row[name] or 0) for name in COUNTER_NAMES]
        return cls(*values)


@dataclass(frozen=True)
class Entry:
    key: str
    name: str | None
    counters: Counters


@dataclass(frozen=True)
class Summary:
    scope: Scope
    totals: Counters
    breakdowns: dict[str, list[Entry]] = field(default_factory=dict)


@dataclass(frozen=True)
class Bucket:
    start: date
    counters: Counters


@dataclass(frozen=True)
class ResponseTimes:
    decided: int
    median_hours: float | None
    p90_hours: float | None


def resolve_scope(principal: Principal | None, wanted: StatisticsFilter) -> Scope:
    """Apply the role rules of the module docstring, and check the filter."""
    agency_id = None
    if wanted.agency_id is not None:
        agency_id = parse_uuid(wanted.agency_id)
        if agency_id is None:
            raise InvalidInput("This is not an agency id.", field="filter.agencyId")
    if wanted.date_from and wanted.date_to and wanted.date_from > wanted.date_to:
        raise InvalidInput("`from` must not be after `to`.", field="filter.to")
    audience = Audience.PUBLIC
    if policies.is_admin(principal):
        audience = Audience.CITY
    elif principal is not None and policies.is_agency_staff(principal):
        if principal.agency_id is None or agency_id not in (None, principal.agency_id):
            raise Forbidden("Agency staff see the statistics of their own agency only.")
        audience, agency_id = Audience.AGENCY, principal.agency_id
    return Scope(
        audience=audience,
        submitted_from=hanoi_midnight(wanted.date_from) if wanted.date_from else None,
        submitted_before=hanoi_midnight(wanted.date_to + timedelta(days=1)) if wanted.date_to else None,
        agency_id=agency_id,
        category_code=wanted.category_code,
        ward_code=wanted.ward_code,
        channel=wanted.channel,
    )


async def summarize(principal: Principal | None, wanted: StatisticsFilter) -> Summary:
    """Totals and the five breakdowns (by category, agency, ward, channel, status) in one statement."""
    scope = resolve_scope(principal, wanted)
    dialect, connection = _connection()
    statement = sql.summary(plan(dialect, scope, MONTHS))
    rows = await connection.execute_query_dict(statement.sql, list(statement.params))
    totals = Counters()
    breakdowns: dict[str, list[Entry]] = {dimension.name: [] for dimension in DIMENSIONS}
    for row in rows:
        counters = Counters.from_row(row)
        if row["dimension"] == "total":
            totals = counters
        else:
            breakdowns[row["dimension"]].append(Entry(str(row["key"]), row["name"], counters))
    for entries in breakdowns.values():
        entries.sort(key=lambda entry: (-entry.counters.received, entry.key))
    return Summary(scope=scope, totals=totals, breakdowns=breakdowns)


async def series(scope: Scope, interval: Interval) -> list[Bucket]:
    """Counters per Hanoi day, week (from Monday) or month of submission; buckets without reports are left out."""
    dialect, connection = _connection()
    statement = sql.series(plan(dialect, scope, MONTHS if interval is Interval.MONTH else DAYS), interval)
    rows = await connection.execute_query_dict(statement.sql, list(statement.params))
    return [Bucket(date.fromisoformat(str(row["bucket"])), Counters.from_row(row)) for row in rows]


async def response_times(scope: Scope) -> ResponseTimes:
    """Hours from submission to the first decision, over the reports decided at least once: the count is exact, the
    median and 90th percentile are estimated from whole hours, less than an hour from the exact values
    (`sql.response_times`), the same way whichever rollup or reports they are read from."""
    dialect, connection = _connection()
    statement = sql.response_times(plan(dialect, scope, HOURS))
    rows = await connection.execute_query_dict(statement.sql, list(statement.params))
    row = rows[0]
    return ResponseTimes(
        decided=int(row["decided"] or 0), median_hours=_hours(row["median"]), p90_hours=_hours(row["p90"])
    )


def plan(dialect: Dialect, scope: Scope, table: Table | None) -> sql.Plan:
    """Where each part of a scope is read; public so that the benchmark times exactly the statements the service runs.

    A rollup serves a query with at most one filter besides dates, on a dimension it keeps (`Table.serves`): the
    months one every dimension, the days and response-time ones category, agency and channel. Whole Hanoi months
    come from a monthly rollup and the days around them from the reports; the daily rollup serves any range of days
    alone. Anything else (two filters or more, a ward for the daily and response-time figures, `table` None) reads
    the reports alone: such filters narrow them to a few percent of the city, found through the report indexes.
    """
    filters: dict[str, object] = {}
    for name, value in (
        ("category", scope.category_code),
        ("agency", scope.agency_id),
        ("ward", scope.ward_code),
        ("channel", scope.channel.value if scope.channel else None),
    ):
        if value is not None:
            filters[name] = value
    start, before = scope.submitted_from, scope.submitted_before
    if table is None or not table.serves(filters):
        return sql.Plan(dialect, filters, None, None, ((start, before),))
    if table.period == "day":
        return sql.Plan(dialect, filters, table, (_hanoi_day(start), _hanoi_day(before)))
    first, end = _month_from(start), _month_until(before)
    if first and end and first >= end:
        return sql.Plan(dialect, filters, None, None, ((start, before),))
    spans: list[sql.Span] = []
    if start is not None and first is not None and hanoi_midnight(first) != start:
        spans.append((start, hanoi_midnight(first)))
    if before is not None and end is not None and hanoi_midnight(end) != before:
        spans.append((hanoi_midnight(end), before))
    return sql.Plan(dialect, filters, table, (first, end), tuple(spans))


def _connection() -> tuple[Dialect, Any]:
    connection = connections.get("default")
    return dialect_of(connection), connection


def _hanoi_day(midnight: datetime | None) -> date | None:
    return None if midnight is None else midnight.astimezone(HANOI_TIME).date()


def _month_from(start: datetime | None) -> date | None:
    """The first whole Hanoi month on or after a Hanoi midnight."""
    if start is None:
        return None
    day = start.astimezone(HANOI_TIME).date()
    return day if day.day == 1 else (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _month_until(before: datetime | None) -> date | None:
    """The end of the last whole Hanoi month before a Hanoi midnight."""
    return None if before is None else before.astimezone(HANOI_TIME).date().replace(day=1)


def _hours(value: object) -> float | None:
    return None if value is None else round(float(str(value)), 2)
