"""What the statistics count and the three rollup tables that keep it, described once for the writes
(`services.statistics.rollup`) and the reads (`services.statistics.sql`).

- `statistics_rollup`: the nine counters per Hanoi month, at every grain of at most two of the five dimensions;
  it serves the totals, the breakdowns and the MONTH series of any query with at most one filter besides dates.
- `statistics_daily`: the nine counters per Hanoi day, for the whole city or one category, agency or channel; it
  serves the DAY and WEEK series.
- `statistics_response`: a histogram of response times per Hanoi month (reports decided at least once, counted per
  whole hour from submission to first decision), for the whole city or one category, agency or channel; it serves
  the response-time percentiles.

Every row also carries a `shard` (0 to SHARDS - 1): a write adds to the shard of its report, so concurrent writes
of the same month or day land on different rows instead of queueing on one; reads sum the shards. A rebuild writes
every count to shard 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.common.sql import Dialect


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
# `within_deadline` and `after_deadline` count the verifications ended by a decision within or after their legal
# deadline (`Report.legal_deadline_met`, judged when the decision is taken: `services.reports.deadlines`).
COUNTER_NAMES = (
    "received",
    "accepted",
    "rejected",
    "penalized",
    "resolved",
    "fines",
    "impounded",
    "within_deadline",
    "after_deadline",
)
COUNTERS = """
    COUNT(*) AS received,
    SUM(CASE WHEN accepted_at IS NOT NULL THEN 1 ELSE 0 END) AS accepted,
    SUM(CASE WHEN status = 'REJECTED' THEN 1 ELSE 0 END) AS rejected,
    SUM(CASE WHEN status = 'PENALIZED' THEN 1 ELSE 0 END) AS penalized,
    SUM(CASE WHEN status = 'RESOLVED' THEN 1 ELSE 0 END) AS resolved,
    SUM(CASE WHEN status = 'PENALIZED' THEN fine_amount_vnd ELSE 0 END) AS fines,
    SUM(CASE WHEN vehicle_impounded THEN 1 ELSE 0 END) AS impounded,
    SUM(CASE WHEN legal_deadline_met THEN 1 ELSE 0 END) AS within_deadline,
    SUM(CASE WHEN NOT legal_deadline_met THEN 1 ELSE 0 END) AS after_deadline"""

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
# The Hanoi month and day of a report as the rollup stores them (dates, which SQLite keeps as ISO text).
PERIOD_OF_REPORT: dict[str, dict[Dialect, str]] = {
    "month": {
        "sqlite": SQLITE_BUCKETS[Interval.MONTH],
        "postgres": f"CAST(date_trunc('month', {POSTGRES_LOCAL}) AS DATE)",
    },
    "day": {"sqlite": SQLITE_BUCKETS[Interval.DAY], "postgres": f"CAST({POSTGRES_LOCAL} AS DATE)"},
}
# Whole hours from submission to first decision, rounded down (the histogram's bucket), exactly as Python's
# `(decided - submitted) // timedelta(hours=1)` gives them, so the rollup and the reports agree to the microsecond.
# PostgreSQL's interval epoch is exact. SQLite keeps times as ISO text ('2024-03-31 18:00:00.123456+00:00', the
# fraction only when there is one) and rounds fractions to the millisecond in its date functions, so whole seconds
# are taken from the text without its fraction and the microseconds from the text itself; the division is by
# integers (SQLite's FLOOR is optional), rounding down below zero too.


def _sqlite_microseconds(column: str) -> str:
    fraction = f"substr({column}, 20, 1) = '.'"
    whole = f"CASE WHEN {fraction} THEN substr({column}, 1, 19) || substr({column}, 27) ELSE {column} END"
    return (
        f"(CAST(strftime('%s', {whole}) AS INTEGER) * 1000000 "
        f"+ CASE WHEN {fraction} THEN CAST(substr({column}, 21, 6) AS INTEGER) ELSE 0 END)"
    )


SQLITE_DURATION = f"({_sqlite_microseconds('first_decided_at')} - {_sqlite_microseconds('submitted_at')})"
HOURS_OF_REPORT: dict[Dialect, str] = {
    "sqlite": f"CASE WHEN {SQLITE_DURATION} >= 0 THEN {SQLITE_DURATION} / 3600000000 "
    f"ELSE -((3599999999 - {SQLITE_DURATION}) / 3600000000) END",
    "postgres": "CAST(FLOOR(EXTRACT(EPOCH FROM (first_decided_at - submitted_at)) / 3600) AS INTEGER)",
}

SHARDS = 16


@dataclass(frozen=True)
class Table:
    """One rollup table: its Hanoi period column, the dimensions it keys, its grains (bit sets of those dimensions,
    `Dimension.bit`), its counters, `counted` (those counters as SQL over the reports), whether the hour bucket of
    the response time is part of the key, and `only` (the WHERE clause of the reports it counts, if not all)."""

    name: str
    period: str
    dimensions: tuple[Dimension, ...]
    grains: tuple[int, ...]
    counters: tuple[str, ...]
    counted: str
    hours: bool = False
    only: str = ""

    @property
    def key_columns(self) -> tuple[str, ...]:
        return ("grain", self.period, *(d.name for d in self.dimensions), *(("hours",) if self.hours else ()))

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.key_columns, "shard", *self.counters)

    def upsert(self, count: int = 1) -> str:
        """Add `count` rows' counters to the rows of the same key and shard, or insert them: one statement, whose
        rows PostgreSQL locks in the order given."""
        key = ", ".join((*self.key_columns, "shard"))
        row = f"({', '.join('?' for _ in self.columns)})"
        return (
            f"INSERT INTO {self.name} ({', '.join(self.columns)}) VALUES {', '.join([row] * count)} "
            f"ON CONFLICT ({key}) DO UPDATE SET "
            + ", ".join(f"{name} = {self.name}.{name} + excluded.{name}" for name in self.counters)
        )

    def serves(self, filters: dict[str, object]) -> bool:
        """Whether this table answers a query with these filters besides dates: one at most, on a dimension it keys
        (the monthly counters keep pairs of dimensions, one filtered and one broken down)."""
        return len(filters) <= 1 and all(name in {d.name for d in self.dimensions} for name in filters)

    def from_reports(self, dialect: Dialect) -> str:
        """The rows as the reports say them, shard 0: the reports grouped at the finest grain, then each grain summed
        from that."""
        keyed = [d.report_key + f" AS {d.name}" for d in self.dimensions]
        if self.hours:
            keyed.append(f"{HOURS_OF_REPORT[dialect]} AS hours")
        finest = (
            f"SELECT {PERIOD_OF_REPORT[self.period][dialect]} AS {self.period}, {', '.join(keyed)}, {self.counted} "
            f"FROM report {self.only} GROUP BY {', '.join(str(n) for n in range(1, len(keyed) + 2))}"
        )
        grains = " UNION ALL ".join(f"SELECT {grain} AS grain" for grain in self.grains)
        keys = [f"CASE WHEN g.grain & {d.bit} <> 0 THEN f.{d.name} ELSE '' END AS {d.name}" for d in self.dimensions]
        if self.hours:
            keys.append("f.hours")
        sums = ", ".join(f"SUM(f.{name}) AS {name}" for name in self.counters)
        return (
            f"SELECT g.grain, f.{self.period}, {', '.join(keys)}, 0 AS shard, {sums} FROM ({finest}) f "
            f"CROSS JOIN ({grains}) g GROUP BY {', '.join(str(n) for n in range(1, len(self.key_columns) + 1))}"
        )


SERIES_DIMENSIONS = (BY_NAME["category"], BY_NAME["agency"], BY_NAME["channel"])
SERIES_GRAINS = (0, *(d.bit for d in SERIES_DIMENSIONS))

MONTHS = Table(
    "statistics_rollup",
    "month",
    DIMENSIONS,
    tuple(grain for grain in range(1 << len(DIMENSIONS)) if grain.bit_count() <= 2),
    COUNTER_NAMES,
    COUNTERS,
)
DAYS = Table("statistics_daily", "day", SERIES_DIMENSIONS, SERIES_GRAINS, COUNTER_NAMES, COUNTERS)
HOURS = Table(
    "statistics_response",
    "month",
    SERIES_DIMENSIONS,
    SERIES_GRAINS,
    ("decided",),
    "COUNT(*) AS decided",
    hours=True,
    only="WHERE first_decided_at IS NOT NULL",
)
TABLES = (MONTHS, DAYS, HOURS)
