"""The SQL behind `statistics`, for SQLite and PostgreSQL. Every figure is aggregated by the database.

Three statements at most, whatever the data size: the totals and all five breakdowns in one, the time series, and
the response-time percentiles. Whole Hanoi months are summed from the rollup (`statistics_rollup`, a few thousand rows
for the whole city); the days of a range that do not fill a month, and queries with two filters or more, are summed
from the reports, whose indexes keep such scans short. Both parts are added up in the same statement. Values are always
bound parameters: statements are written with `?` and numbered for PostgreSQL at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from services.common.sql import Dialect, Statement, date_value


class Interval(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


@dataclass(frozen=True)
class Dimension:
    """A way to break the figures down: its bit in a rollup grain, its rollup column and its report column."""

    name: str
    bit: int
    report_column: str

    @property
    def report_key(self) -> str:
        """The report column as the text the rollup stores (agency ids are uuids on PostgreSQL)."""
        return f"CAST({self.report_column} AS VARCHAR(36))" if self.name == "agency" else self.report_column


DIMENSIONS = (
    Dimension("category", 1, "category_id"),
    Dimension("agency", 2, "agency_id"),
    Dimension("ward", 4, "ward_id"),
    Dimension("channel", 8, "channel"),
    Dimension("status", 16, "status"),
)
BY_NAME = {dimension.name: dimension for dimension in DIMENSIONS}

# The counters every figure carries. `accepted` reads the workflow's accepted_at, so a report accepted and later
# penalized or resolved still counts as accepted. The rollup keeps the same counters under the same names.
COUNTER_NAMES = ("received", "accepted", "rejected", "penalized", "resolved", "fines", "impounded")
COUNTERS = """
    COUNT(*) AS received,
    SUM(CASE WHEN accepted_at IS NOT NULL THEN 1 ELSE 0 END) AS accepted,
    SUM(CASE WHEN status = 'REJECTED' THEN 1 ELSE 0 END) AS rejected,
    SUM(CASE WHEN status = 'PENALIZED' THEN 1 ELSE 0 END) AS penalized,
    SUM(CASE WHEN status = 'RESOLVED' THEN 1 ELSE 0 END) AS resolved,
    SUM(CASE WHEN status = 'PENALIZED' THEN fine_amount_vnd ELSE 0 END) AS fines,
    SUM(CASE WHEN vehicle_impounded THEN 1 ELSE 0 END) AS impounded"""
# As BIGINT: PostgreSQL's SUM of integers is NUMERIC, which drivers decode far more slowly than an integer.
SUMS = ", ".join(f"CAST(SUM({name}) AS BIGINT) AS {name}" for name in COUNTER_NAMES)

# Report times are stored in UTC; buckets are calendar days, ISO weeks (from Monday) and months in Hanoi (UTC+7,
# no daylight saving), rendered as the ISO date of the bucket's first day.
SQLITE_BUCKETS: dict[Interval, str] = {
    Interval.DAY: "date(submitted_at, '+7 hours')",
    Interval.WEEK: "date(submitted_at, '+7 hours', '-6 days', 'weekday 1')",
    Interval.MONTH: "strftime('%Y-%m-01', submitted_at, '+7 hours')",
}
POSTGRES_LOCAL = "(submitted_at AT TIME ZONE 'UTC' + INTERVAL '7 hours')"
POSTGRES_BUCKETS: dict[Interval, str] = {
    interval: f"to_char(date_trunc('{interval.value.lower()}', {POSTGRES_LOCAL}), 'YYYY-MM-DD')"
    for interval in Interval
}
# The Hanoi month of a report as the rollup stores it (a date, which SQLite keeps as ISO text).
MONTH_OF_REPORT = {
    "sqlite": SQLITE_BUCKETS[Interval.MONTH],
    "postgres": f"CAST(date_trunc('month', {POSTGRES_LOCAL}) AS DATE)",
}
MONTH_AS_BUCKET = {"sqlite": "month", "postgres": "to_char(month, 'YYYY-MM-DD')"}
DECIDED_HOURS = {
    "sqlite": "(julianday(first_decided_at) - julianday(submitted_at)) * 24.0",
    "postgres": "EXTRACT(EPOCH FROM (first_decided_at - submitted_at)) / 3600.0",
}


Span = tuple[datetime | None, datetime | None]


@dataclass(frozen=True)
class Plan:
    """Which reports to count and where each part is read.

    `filters` maps dimension names to the value they must equal. `months` is the [first, end) range of whole Hanoi
    months read from the rollup (either end open), or None when the rollup is not read. `spans` are the [from, before)
    submission ranges read from the reports (either end open).
    """

    dialect: Dialect
    filters: dict[str, object] = field(default_factory=dict)
    months: tuple[date | None, date | None] | None = None
    spans: tuple[Span, ...] = ()

    @property
    def mask(self) -> int:
        return sum(BY_NAME[name].bit for name in self.filters)


def summary(plan: Plan) -> Statement:
    """One row per (dimension, key): the totals (dimension 'total', key '') and every breakdown, names joined on."""
    union = _union([*_rollup_groups(plan), *_report_groups(plan)])
    grouped = f"SELECT dimension, key, {SUMS} FROM ({union.sql}) u GROUP BY dimension, key HAVING SUM(received) > 0"
    return Statement(
        f"SELECT g.*, COALESCE(c.name, a.name, w.name) AS name FROM ({grouped}) g\n"
        "LEFT JOIN category c ON g.dimension = 'category' AND c.code = g.key\n"
        "LEFT JOIN agency a ON g.dimension = 'agency' AND CAST(a.id AS VARCHAR(36)) = g.key\n"
        "LEFT JOIN ward w ON g.dimension = 'ward' AND w.code = g.key",
        union.params,
    ).numbered(plan.dialect)


def series(plan: Plan, interval: Interval) -> Statement:
    """Counters per bucket, oldest first. Only MONTH buckets can come from the rollup; the caller plans accordingly."""
    parts = []
    if plan.months is not None:
        where = _rollup_where(plan, plan.mask)
        bucket = MONTH_AS_BUCKET[plan.dialect]
        parts.append(
            Statement(
                f"SELECT {bucket} AS bucket, {SUMS} FROM statistics_rollup WHERE {where.sql} GROUP BY month",
                where.params,
            )
        )
    if plan.spans:
        where = _report_where(plan)
        bucket = (SQLITE_BUCKETS if plan.dialect == "sqlite" else POSTGRES_BUCKETS)[interval]
        parts.append(
            Statement(f"SELECT {bucket} AS bucket, {COUNTERS}\nFROM report WHERE {where.sql} GROUP BY 1", where.params)
        )
    union = _union(parts)
    return Statement(
        f"SELECT bucket, {SUMS} FROM ({union.sql}) u GROUP BY bucket HAVING SUM(received) > 0 ORDER BY bucket",
        union.params,
    ).numbered(plan.dialect)


def response_times(plan: Plan) -> Statement:
    """Median and 90th percentile, interpolated between ranks like PostgreSQL's `percentile_cont`; SQLite has no
    such function, so it ranks the ordered times with window functions and picks the two neighbouring ranks.
    Durations are per report, so this one always reads the reports (`plan.spans`)."""
    where = _report_where(plan)
    hours = f"SELECT {DECIDED_HOURS[plan.dialect]} AS h FROM report WHERE {where.sql} AND first_decided_at IS NOT NULL"
    if plan.dialect == "postgres":
        return Statement(
            "SELECT COUNT(*) AS decided, percentile_cont(0.5) WITHIN GROUP (ORDER BY h) AS median, "
            f"percentile_cont(0.9) WITHIN GROUP (ORDER BY h) AS p90 FROM ({hours}) t",
            where.params,
        ).numbered(plan.dialect)
    picks = []
    for label, fraction in (("median", 0.5), ("p90", 0.9)):
        position = f"(n - 1) * {fraction}"
        picks.append(
            f"MAX(CASE WHEN rn = 1 + CAST({position} AS INTEGER) THEN h END) AS {label}_lo, "
            f"MAX(CASE WHEN rn = 2 + CAST({position} AS INTEGER) THEN h END) AS {label}_hi, "
            f"MAX({position} - CAST({position} AS INTEGER)) AS {label}_frac"
        )
    ranked = f"SELECT h, ROW_NUMBER() OVER (ORDER BY h) AS rn, COUNT(*) OVER () AS n FROM ({hours}) t"
    interpolate = ", ".join(
        f"{label}_lo + {label}_frac * (COALESCE({label}_hi, {label}_lo) - {label}_lo) AS {label}"
        for label in ("median", "p90")
    )
    return Statement(
        f"SELECT COALESCE(decided, 0) AS decided, {interpolate} FROM "
        f"(SELECT MAX(n) AS decided, {', '.join(picks)} FROM ({ranked}) r) p",
        where.params,
    )


def _union(parts: list[Statement]) -> Statement:
    """The rollup's part and the reports' part of a figure, to be summed over by the caller."""
    return Statement(
        "\nUNION ALL\n".join(part.sql for part in parts), tuple(param for part in parts for param in part.params)
    )


def _rollup_groups(plan: Plan) -> list[Statement]:
    """The totals and each breakdown from the rollup grain that keeps the filtered dimensions and the grouped one."""
    if plan.months is None:
        return []
    where = _rollup_where(plan, plan.mask)
    groups = [
        Statement(
            f"SELECT 'total' AS dimension, '' AS key, {SUMS} FROM statistics_rollup WHERE {where.sql}", where.params
        )
    ]
    for dimension in DIMENSIONS:
        where = _rollup_where(plan, plan.mask | dimension.bit)
        groups.append(
            Statement(
                f"SELECT '{dimension.name}', {dimension.name}, {SUMS} FROM statistics_rollup "
                f"WHERE {where.sql} GROUP BY {dimension.name}",
                where.params,
            )
        )
    return groups


def _report_groups(plan: Plan) -> list[Statement]:
    """The totals and each breakdown from the reports of `plan.spans`. PostgreSQL computes all six groupings in one
    scan (GROUPING SETS); SQLite, which lacks them, runs one grouped scan per breakdown."""
    if not plan.spans:
        return []
    where = _report_where(plan)
    if plan.dialect == "postgres":
        dimension = " ".join(f"WHEN GROUPING({d.report_column}) = 0 THEN '{d.name}'" for d in DIMENSIONS)
        keys = ", ".join(d.report_key for d in DIMENSIONS)
        sets = ", ".join(f"({d.report_column})" for d in DIMENSIONS)
        return [
            Statement(
                f"SELECT CASE {dimension} ELSE 'total' END AS dimension, COALESCE({keys}, '') AS key, {COUNTERS}\n"
                f"FROM report WHERE {where.sql}\nGROUP BY GROUPING SETS ((), {sets})",
                where.params,
            )
        ]
    groups = [
        Statement(f"SELECT 'total' AS dimension, '' AS key, {COUNTERS} FROM report WHERE {where.sql}", where.params)
    ]
    for d in DIMENSIONS:
        groups.append(
            Statement(
                f"SELECT '{d.name}', {d.report_key}, {COUNTERS} FROM report "
                f"WHERE {where.sql} GROUP BY {d.report_column}",
                where.params,
            )
        )
    return groups


def _rollup_where(plan: Plan, grain: int) -> Statement:
    assert plan.months is not None
    conditions: list[tuple[str, object]] = [("grain =", grain)]
    first, end = plan.months
    if first is not None:
        conditions.append(("month >=", date_value(plan.dialect, first)))
    if end is not None:
        conditions.append(("month <", date_value(plan.dialect, end)))
    conditions += [(f"{name} =", str(value)) for name, value in plan.filters.items()]
    return _and(conditions)


def _report_where(plan: Plan) -> Statement:
    conditions = []
    for name, value in plan.filters.items():
        column = BY_NAME[name].report_column
        conditions.append((f"{column} =", str(value) if plan.dialect == "sqlite" or name != "agency" else value))
    where = _and(conditions)
    spans = []
    params: list[object] = list(where.params)
    for start, before in plan.spans:
        bounds = [("submitted_at >=", start), ("submitted_at <", before)]
        span = _and([(column, value) for column, value in bounds if value is not None])
        spans.append(f"({span.sql})")
        params += span.params
    return Statement(f"{where.sql} AND ({' OR '.join(spans)})", tuple(params))


def _and(conditions: list[tuple[str, object]]) -> Statement:
    """`conditions` are (column and operator, value) pairs, e.g. ("submitted_at >=", t)."""
    text = " AND ".join(f"{column_op} ?" for column_op, _ in conditions)
    return Statement(text or "TRUE", tuple(value for _, value in conditions))
