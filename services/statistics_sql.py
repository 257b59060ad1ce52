"""The SQL behind `statistics`, for SQLite and PostgreSQL. Every figure is aggregated by the database.

Three statements at most, whatever the data size: the totals and all five breakdowns in one, the time series, and
the response-time percentiles. Conditions are always bound parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Dialect = Literal["sqlite", "postgres"]


class Interval(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


# The counters every figure carries. `accepted` reads the workflow's accepted_at, so a report accepted and later
# penalized or resolved still counts as accepted.
COUNTERS = """
    COUNT(*) AS received,
    SUM(CASE WHEN accepted_at IS NOT NULL THEN 1 ELSE 0 END) AS accepted,
    SUM(CASE WHEN status = 'REJECTED' THEN 1 ELSE 0 END) AS rejected,
    SUM(CASE WHEN status = 'PENALIZED' THEN 1 ELSE 0 END) AS penalized,
    SUM(CASE WHEN status = 'RESOLVED' THEN 1 ELSE 0 END) AS resolved,
    SUM(CASE WHEN status = 'PENALIZED' THEN fine_amount_vnd ELSE 0 END) AS fines,
    SUM(CASE WHEN vehicle_impounded THEN 1 ELSE 0 END) AS impounded"""
COUNTER_NAMES = ("received", "accepted", "rejected", "penalized", "resolved", "fines", "impounded")

DIMENSIONS = (
    ("category", "category_id"),
    ("agency", "agency_id"),
    ("ward", "ward_id"),
    ("channel", "channel"),
    ("status", "status"),
)
KEYS = tuple((name, "CAST(agency_id AS VARCHAR(36))" if name == "agency" else column) for name, column in DIMENSIONS)

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
DECIDED_HOURS = {
    "sqlite": "(julianday(first_decided_at) - julianday(submitted_at)) * 24.0",
    "postgres": "EXTRACT(EPOCH FROM (first_decided_at - submitted_at)) / 3600.0",
}


@dataclass(frozen=True)
class Where:
    """A WHERE clause over `report` with its parameters, in the placeholder style of one dialect."""

    sql: str
    params: tuple[object, ...]


def where(dialect: Dialect, conditions: list[tuple[str, object]]) -> Where:
    """`conditions` are (column and operator, value) pairs, e.g. ("submitted_at >=", t)."""
    parts = []
    for number, (column_op, _) in enumerate(conditions, start=1):
        placeholder = "?" if dialect == "sqlite" else f"${number}"
        parts.append(f"{column_op} {placeholder}")
    return Where(" AND ".join(parts) or "TRUE", tuple(value for _, value in conditions))


def summary_sql(dialect: Dialect, scope: Where) -> tuple[str, tuple[object, ...]]:
    """One row per (dimension, key): the totals (dimension 'total') and every breakdown, with names joined on.

    PostgreSQL computes all six groupings in one scan (GROUPING SETS); SQLite, which lacks them, runs one grouped
    scan per breakdown inside the same statement, so it gets the WHERE parameters once per scan.
    """
    if dialect == "postgres":
        dimension = " ".join(f"WHEN GROUPING({column}) = 0 THEN '{name}'" for name, column in DIMENSIONS)
        keys = ", ".join(key for _, key in KEYS)
        sets = ", ".join(f"({column})" for _, column in DIMENSIONS)
        grouped = (
            f"SELECT CASE {dimension} ELSE 'total' END AS dimension, COALESCE({keys}, '') AS key, {COUNTERS}\n"
            f"FROM report WHERE {scope.sql}\nGROUP BY GROUPING SETS ((), {sets})"
        )
        params = scope.params
    else:
        parts = [f"SELECT 'total' AS dimension, '' AS key, {COUNTERS} FROM report WHERE {scope.sql}"]
        for (name, column), (_, key) in zip(DIMENSIONS, KEYS, strict=True):
            parts.append(f"SELECT '{name}', {key}, {COUNTERS} FROM report WHERE {scope.sql} GROUP BY {column}")
        grouped = "\nUNION ALL\n".join(parts)
        params = scope.params * len(parts)
    return (
        f"SELECT g.*, COALESCE(c.name, a.name, w.name) AS name FROM ({grouped}) g\n"
        "LEFT JOIN category c ON g.dimension = 'category' AND c.code = g.key\n"
        "LEFT JOIN agency a ON g.dimension = 'agency' AND CAST(a.id AS VARCHAR(36)) = g.key\n"
        "LEFT JOIN ward w ON g.dimension = 'ward' AND w.code = g.key"
    ), params


def series_sql(dialect: Dialect, scope: Where, interval: Interval) -> str:
    bucket = (SQLITE_BUCKETS if dialect == "sqlite" else POSTGRES_BUCKETS)[interval]
    return f"SELECT {bucket} AS bucket, {COUNTERS}\nFROM report WHERE {scope.sql}\nGROUP BY 1 ORDER BY 1"


def response_time_sql(dialect: Dialect, scope: Where) -> str:
    """Median and 90th percentile, interpolated between ranks like PostgreSQL's `percentile_cont`; SQLite has no
    such function, so it ranks the ordered times with window functions and picks the two neighbouring ranks."""
    hours = f"SELECT {DECIDED_HOURS[dialect]} AS h FROM report WHERE {scope.sql} AND first_decided_at IS NOT NULL"
    if dialect == "postgres":
        return (
            "SELECT COUNT(*) AS decided, percentile_cont(0.5) WITHIN GROUP (ORDER BY h) AS median, "
            f"percentile_cont(0.9) WITHIN GROUP (ORDER BY h) AS p90 FROM ({hours}) t"
        )
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
    return (
        f"SELECT COALESCE(decided, 0) AS decided, {interpolate} FROM "
        f"(SELECT MAX(n) AS decided, {', '.join(picks)} FROM ({ranked}) r) p"
    )
