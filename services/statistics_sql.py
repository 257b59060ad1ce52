"""The SQL behind `statistics`, for SQLite and PostgreSQL. Every figure is aggregated by the database.

Three statements at most, whatever the data size: the totals and all five breakdowns in one (a grouped scan shared
through a CTE), the time series, and the response-time percentiles. Conditions are always bound parameters.
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
SUMS = ", ".join(f"SUM({name}) AS {name}" for name in COUNTER_NAMES)

# (dimension, key expression over `base`, name expression, join that provides the name)
BREAKDOWNS = (
    ("category", "b.category_id", "c.name", "JOIN category c ON c.code = b.category_id"),
    ("agency", "CAST(b.agency_id AS VARCHAR(36))", "a.name", "JOIN agency a ON a.id = b.agency_id"),
    ("ward", "b.ward_id", "w.name", "JOIN ward w ON w.code = b.ward_id"),
    ("channel", "b.channel", "NULL", ""),
    ("status", "b.status", "NULL", ""),
)

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


def summary_sql(scope: Where) -> str:
    """One row per (dimension, key): the city or agency totals (dimension 'total') and every breakdown."""
    base = (
        f"SELECT category_id, agency_id, ward_id, channel, status, {COUNTERS}\n"
        f"FROM report WHERE {scope.sql}\nGROUP BY category_id, agency_id, ward_id, channel, status"
    )
    parts = [f"SELECT 'total' AS dimension, '' AS key, NULL AS name, {SUMS} FROM base"]
    for dimension, key, name, join in BREAKDOWNS:
        group = key if name == "NULL" else f"{key}, {name}"
        parts.append(
            f"SELECT '{dimension}', {key}, {name}, {SUMS.replace('SUM(', 'SUM(b.')} FROM base b {join} GROUP BY {group}"
        )
    return f"WITH base AS ({base})\n" + "\nUNION ALL\n".join(parts)


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
