"""The SQL behind `statistics`, for SQLite and PostgreSQL. Every figure is aggregated by the database.

Three statements at most, whatever the data size: the totals and all five breakdowns in one, the time series, and
the response-time percentiles. Each reads a rollup (`services.statistics.tables`) where one serves the query: whole
Hanoi months from `statistics_rollup` and `statistics_response`, whole days from `statistics_daily`; the days of a
range that do not fill a month, and the queries no rollup serves, are summed from the reports, whose indexes keep
such scans short. Both parts are added up in the same statement. Values are always bound parameters: statements are
written with `?` and numbered for PostgreSQL at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from services.common.sql import Dialect, Statement, date_value
from services.statistics.tables import (
    BY_NAME,
    COUNTER_NAMES,
    COUNTERS,
    DIMENSIONS,
    HOURS,
    HOURS_OF_REPORT,
    POSTGRES_BUCKETS,
    SQLITE_BUCKETS,
    Table,
)
from services.statistics.tables import Interval as Interval  # `schema.base.enums` names it `sql.Interval`

# As BIGINT: PostgreSQL's SUM of integers is NUMERIC, which drivers decode far more slowly than an integer.
SUMS = ", ".join(f"CAST(SUM({name}) AS BIGINT) AS {name}" for name in COUNTER_NAMES)

Span = tuple[datetime | None, datetime | None]


@dataclass(frozen=True)
class Plan:
    """Which reports to count and where each part is read.

    `filters` maps dimension names to the value they must equal. `periods` is the [first, end) range of the
    `table`'s period column (Hanoi months or days, either end open) read from that rollup, or None when no rollup is
    read. `spans` are the [from, before) submission ranges read from the reports (either end open).
    """

    dialect: Dialect
    filters: dict[str, object] = field(default_factory=dict)
    table: Table | None = None
    periods: tuple[date | None, date | None] | None = None
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
    """Counters per bucket, oldest first, from the rollup's periods (the caller plans a rollup whose periods are no
    longer than the buckets) and the reports' spans."""
    parts = []
    if plan.periods is not None:
        assert plan.table is not None
        where = _rollup_where(plan, plan.mask)
        bucket = _period_bucket(plan.dialect, plan.table.period, interval)
        parts.append(
            Statement(
                f"SELECT {bucket} AS bucket, {SUMS} FROM {plan.table.name} WHERE {where.sql} GROUP BY 1", where.params
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
    """How many reports were decided, and the median and 90th percentile of their response times, estimated from
    the histogram of whole hours (`statistics_response` for whole months, the reports for the rest).

    Like PostgreSQL's `percentile_cont`, the percentile q sits at rank (n - 1) * q of the n times in order (from
    0), between the two neighbouring ranks in proportion. The k-th of the m times in the hour bucket [h, h + 1) is
    taken to be h + k / m (spread evenly from the bucket's start), so each estimate, and the interpolation between
    two, stays within the bucket of the exact value or between those: less than one hour from it. Ranks are whole
    numbers computed with integer division, which both databases truncate alike."""
    parts = []
    if plan.periods is not None:
        assert plan.table is HOURS
        where = _rollup_where(plan, plan.mask)
        parts.append(
            Statement(
                f"SELECT hours, SUM(decided) AS decided FROM {HOURS.name} WHERE {where.sql} GROUP BY hours",
                where.params,
            )
        )
    if plan.spans:
        where = _report_where(plan)
        parts.append(
            Statement(
                f"SELECT {HOURS_OF_REPORT[plan.dialect]} AS hours, COUNT(*) AS decided FROM report "
                f"WHERE {where.sql} AND first_decided_at IS NOT NULL GROUP BY 1",
                where.params,
            )
        )
    union = _union(parts)
    histogram = (
        f"SELECT hours, CAST(SUM(decided) AS BIGINT) AS n FROM ({union.sql}) u GROUP BY hours HAVING SUM(decided) > 0"
    )
    # Per bucket: how many times are below it, and in all; then, per percentile, the rank below it and the share of
    # the way to the next rank, from (n - 1) * numerator / denominator.
    ranks = ", ".join(
        f"(total - 1) * {numerator} / {denominator} AS {name}_rank, "
        f"((total - 1) * {numerator} % {denominator}) * 1.0 / {denominator} AS {name}_share"
        for name, numerator, denominator in (("median", 1, 2), ("p90", 9, 10))
    )
    cumulative = (
        "SELECT hours, n, CAST(SUM(n) OVER (ORDER BY hours) AS BIGINT) - n AS below, "
        f"CAST(SUM(n) OVER () AS BIGINT) AS total FROM ({histogram}) h"
    )

    def at(rank: str) -> str:
        return f"MAX(CASE WHEN below <= {rank} AND {rank} < below + n THEN hours + ({rank} - below) * 1.0 / n END)"

    picks = ", ".join(
        f"{at(f'{name}_rank')} AS {name}_lo, {at(f'{name}_rank + 1')} AS {name}_hi, MAX({name}_share) AS {name}_share"
        for name in ("median", "p90")
    )
    interpolate = ", ".join(
        f"{name}_lo + {name}_share * (COALESCE({name}_hi, {name}_lo) - {name}_lo) AS {name}"
        for name in ("median", "p90")
    )
    return Statement(
        f"SELECT COALESCE(decided, 0) AS decided, {interpolate} FROM "
        f"(SELECT MAX(total) AS decided, {picks} FROM (SELECT c.*, {ranks} FROM ({cumulative}) c) r) p",
        union.params,
    ).numbered(plan.dialect)


def _period_bucket(dialect: Dialect, column: str, interval: Interval) -> str:
    """The first day of the bucket a rollup period (a Hanoi month or day) falls in, as ISO text."""
    if dialect == "postgres":
        return f"to_char(date_trunc('{interval.value.lower()}', CAST({column} AS TIMESTAMP)), 'YYYY-MM-DD')"
    return {
        Interval.DAY: column,
        Interval.WEEK: f"date({column}, '-6 days', 'weekday 1')",
        Interval.MONTH: f"strftime('%Y-%m-01', {column})",
    }[interval]


def _union(parts: list[Statement]) -> Statement:
    """The rollup's part and the reports' part of a figure, to be summed over by the caller."""
    return Statement(
        "\nUNION ALL\n".join(part.sql for part in parts), tuple(param for part in parts for param in part.params)
    )


def _rollup_groups(plan: Plan) -> list[Statement]:
    """The totals and each breakdown from the rollup grain that keeps the filtered dimensions and the grouped one."""
    if plan.periods is None:
        return []
    assert plan.table is not None
    where = _rollup_where(plan, plan.mask)
    groups = [
        Statement(
            f"SELECT 'total' AS dimension, '' AS key, {SUMS} FROM {plan.table.name} WHERE {where.sql}", where.params
        )
    ]
    for dimension in DIMENSIONS:
        where = _rollup_where(plan, plan.mask | dimension.bit)
        groups.append(
            Statement(
                f"SELECT '{dimension.name}', {dimension.name}, {SUMS} FROM {plan.table.name} "
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
    assert plan.periods is not None
    assert plan.table is not None
    conditions: list[tuple[str, object]] = [("grain =", grain)]
    first, end = plan.periods
    if first is not None:
        conditions.append((f"{plan.table.period} >=", date_value(plan.dialect, first)))
    if end is not None:
        conditions.append((f"{plan.table.period} <", date_value(plan.dialect, end)))
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
