"""Keeping `statistics_rollup` equal to what the reports say.

Every write that creates a report or changes what the statistics count of it (status, agency, acceptance, fine,
impoundment) calls `apply` with the report as it was and as it becomes, inside its own transaction, so the rollup
commits or rolls back with the change. Bulk loads (the demo, the benchmark) call `rebuild` once instead. `drift` says
where the rollup and the reports disagree: the test suite checks it after every test, and `phananh
rebuild-statistics --check` checks a live database.

Grains are the subsets of at most two of the five dimensions: the totals and breakdowns of a query with at most one
filter besides dates each read one of them (`figures.plan`); two filters or more narrow the reports enough
to sum them directly. So a report has 16 rows, one per grain: a decision moves the rows that hold status from the old
status to the new one and adds to the others; a transfer does the same between agencies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from core.clock import HANOI_TIME
from models.enums import ReportStatus
from models.reports import Report
from services.common.sql import Dialect, Statement, date_value, dialect_of
from services.statistics.sql import COUNTER_NAMES, COUNTERS, DIMENSIONS, MONTH_OF_REPORT

GRAINS = tuple(grain for grain in range(1 << len(DIMENSIONS)) if grain.bit_count() <= 2)
# The report fields the rollup depends on; a write that changes none of them needs no `apply`.
FIELDS = (
    "submitted_at",
    "category_id",
    "agency_id",
    "ward_id",
    "channel",
    "status",
    "accepted_at",
    "fine_amount_vnd",
    "vehicle_impounded",
)
KEY_COLUMNS = ("grain", "month", *(dimension.name for dimension in DIMENSIONS))
COLUMNS = (*KEY_COLUMNS, *COUNTER_NAMES)
UPSERT = (
    f"INSERT INTO statistics_rollup ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)}) "
    f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET "
    + ", ".join(f"{name} = statistics_rollup.{name} + excluded.{name}" for name in COUNTER_NAMES)
)

Key = tuple[int, date, str, str, str, str, str]


@dataclass(frozen=True)
class Facts:
    """What the statistics count of one report: its month, its five dimensions and its counters."""

    month: date
    dimensions: tuple[str, ...]
    counters: tuple[int, ...]

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> Facts:
        """`values` holds `FIELDS`, from a Report or from a Report with pending changes."""
        status = ReportStatus(values["status"])
        submitted: datetime = values["submitted_at"]
        penalized = status is ReportStatus.PENALIZED
        counters = (
            1,
            int(values["accepted_at"] is not None),
            int(status is ReportStatus.REJECTED),
            int(penalized),
            int(status is ReportStatus.RESOLVED),
            int(values["fine_amount_vnd"] or 0) if penalized else 0,
            int(bool(values["vehicle_impounded"])),
        )
        dimensions = tuple(str(values[field]) for field in ("category_id", "agency_id", "ward_id", "channel", "status"))
        return cls(submitted.astimezone(HANOI_TIME).date().replace(day=1), dimensions, counters)

    @classmethod
    def of_report(cls, report: Report, changes: Mapping[str, Any] | None = None) -> Facts:
        values = {field: getattr(report, field) for field in FIELDS}
        values.update({field: value for field, value in (changes or {}).items() if field in FIELDS})
        return cls.of(values)

    def grain_keys(self) -> list[Key]:
        return [
            (
                grain,
                self.month,
                *(
                    value if grain & dimension.bit else ""
                    for dimension, value in zip(DIMENSIONS, self.dimensions, strict=True)
                ),
            )  # type: ignore[misc]
            for grain in GRAINS
        ]


async def apply(connection: BaseDBAsyncClient, before: Facts | None, after: Facts | None) -> None:
    """Move one report's counts from `before` to `after` (None: the report did not or does not exist).

    Rows are written in key order, so two transactions touching the same rows lock them in the same order."""
    deltas: dict[Key, list[int]] = {}
    for sign, facts in ((-1, before), (1, after)):
        if facts is None:
            continue
        for key in facts.grain_keys():
            total = deltas.setdefault(key, [0] * len(COUNTER_NAMES))
            for index, value in enumerate(facts.counters):
                total[index] += sign * value
    dialect = dialect_of(connection)
    rows = [
        [grain, date_value(dialect, month), *dimensions, *counters]
        for (grain, month, *dimensions), counters in sorted(deltas.items())
        if any(counters)
    ]
    if rows:
        await connection.execute_many(Statement(UPSERT).numbered(dialect).sql, rows)


async def rebuild(connection: BaseDBAsyncClient) -> int:
    """Recompute every row from the reports, in the caller's transaction; returns the number of rows.

    Rows go in grain by grain, so each grain's rows share few pages, and the planner gets fresh statistics."""
    await connection.execute_query("DELETE FROM statistics_rollup")
    await connection.execute_query(
        f"INSERT INTO statistics_rollup ({', '.join(COLUMNS)}) {_expected(dialect_of(connection))} "
        f"ORDER BY {', '.join(KEY_COLUMNS)}"
    )
    await connection.execute_query("ANALYZE statistics_rollup")
    rows = await connection.execute_query_dict("SELECT COUNT(*) AS n FROM statistics_rollup")
    return int(rows[0]["n"])


async def drift(connection: BaseDBAsyncClient, limit: int = 10) -> list[dict[str, Any]]:
    """Rows where the rollup and the reports disagree: what the reports say (`side` 'reports') that the rollup lacks,
    and what the rollup holds (`side` 'rollup') that the reports do not say. Empty when they agree."""
    stored = f"SELECT {', '.join(COLUMNS)} FROM statistics_rollup WHERE " + " OR ".join(
        f"{name} <> 0" for name in COUNTER_NAMES
    )
    expected = _expected(dialect_of(connection))
    return await connection.execute_query_dict(
        f"SELECT * FROM (SELECT 'reports' AS side, e.* FROM ({expected} EXCEPT {stored}) e "
        f"UNION ALL SELECT 'rollup', s.* FROM ({stored} EXCEPT {expected}) s) d "
        f"ORDER BY grain, month LIMIT {int(limit)}"
    )


def _expected(dialect: Dialect) -> str:
    """The rollup as the reports say it: the reports grouped at the finest grain, then each grain summed from that."""
    dimensions = ", ".join(f"{d.report_key} AS {d.name}" for d in DIMENSIONS)
    finest = (
        f"SELECT {MONTH_OF_REPORT[dialect]} AS month, {dimensions}, {COUNTERS} FROM report "
        f"GROUP BY {', '.join(str(n) for n in range(1, len(DIMENSIONS) + 2))}"
    )
    grains = " UNION ALL ".join(f"SELECT {grain} AS grain" for grain in GRAINS)
    keys = ", ".join(f"CASE WHEN g.grain & {d.bit} <> 0 THEN f.{d.name} ELSE '' END AS {d.name}" for d in DIMENSIONS)
    sums = ", ".join(f"SUM(f.{name}) AS {name}" for name in COUNTER_NAMES)
    return (
        f"SELECT g.grain, f.month, {keys}, {sums} FROM ({finest}) f CROSS JOIN ({grains}) g "
        f"GROUP BY {', '.join(str(n) for n in range(1, len(KEY_COLUMNS) + 1))}"
    )
