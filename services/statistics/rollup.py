"""Keeping the rollup tables (`services.statistics.tables`) equal to what the reports say.

Every write that creates a report or changes what the statistics count of it (status, agency, acceptance, fine,
impoundment, first decision) calls `apply` with the report as it was and as it becomes, inside its own transaction,
so the rollups commit or roll back with the change. Bulk loads (the demo, the benchmark) and deployments that add a
rollup call `rebuild` once instead (`phananh rebuild-statistics`). `drift` says where the rollups and the reports
disagree: the test suite checks it after every test, and `phananh rebuild-statistics --check` checks a live database.

A report has one row per grain in each table: a decision moves the rows that hold status from the old status to the
new one and adds to the others; a transfer does the same between agencies; a first decision adds the report to its
hour of the response histogram. Rows go to the report's shard, so concurrent writes rarely wait on each other.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from core.clock import HANOI_TIME
from models.enums import ReportStatus
from models.reports import Report
from services.common.sql import Dialect, Statement, date_value, dialect_of
from services.statistics import cells
from services.statistics.tables import DIMENSIONS, HOURS, SHARDS, TABLES, Table

# The report fields the rollups depend on; a write that changes none of them needs no `apply`.
FIELDS = (
    "submitted_at",
    "category_id",
    "agency_id",
    "ward_id",
    "channel",
    "status",
    "accepted_at",
    "first_decided_at",
    "fine_amount_vnd",
    "vehicle_impounded",
    "legal_deadline_met",
    "geohash",
)
HOUR = timedelta(hours=1)

Key = tuple[Any, ...]


@dataclass(frozen=True)
class Facts:
    """What the statistics count of one report: its Hanoi day, its five dimensions, its counters, the whole hours
    from its submission to its first decision (None while undecided), the shard its rows go to, and its geohash
    (None without a point: the hotspot rollup, `services.statistics.cells`)."""

    day: date
    dimensions: dict[str, str]
    counters: tuple[int, ...]
    hours: int | None
    shard: int = 0
    cell: str | None = None

    @classmethod
    def of(cls, values: Mapping[str, Any], shard: int = 0) -> Facts:
        """`values` holds `FIELDS`, from a Report or from a Report with pending changes."""
        status = ReportStatus(values["status"])
        submitted: datetime = values["submitted_at"]
        decided: datetime | None = values["first_decided_at"]
        penalized = status is ReportStatus.PENALIZED
        met = values["legal_deadline_met"]
        counters = (
            1,
            int(values["accepted_at"] is not None),
            int(status is ReportStatus.REJECTED),
            int(penalized),
            int(status is ReportStatus.RESOLVED),
            int(values["fine_amount_vnd"] or 0) if penalized else 0,
            int(bool(values["vehicle_impounded"])),
            int(met is not None and bool(met)),
            int(met is not None and not met),
        )
        dimensions = {d.name: str(values[d.report_column]) for d in DIMENSIONS}
        hours = None if decided is None else (decided - submitted) // HOUR
        return cls(submitted.astimezone(HANOI_TIME).date(), dimensions, counters, hours, shard, values["geohash"])

    @classmethod
    def of_report(cls, report: Report, changes: Mapping[str, Any] | None = None) -> Facts:
        values = {field: getattr(report, field) for field in FIELDS}
        values.update({field: value for field, value in (changes or {}).items() if field in FIELDS})
        return cls.of(values, shard_of(report.id))

    def rows(self, table: Table) -> dict[Key, tuple[int, ...]]:
        """This report's counters in `table`, by row key (the shard last)."""
        if table is HOURS:
            if self.hours is None:
                return {}
            counters: tuple[int, ...] = (1,)
        else:
            counters = self.counters
        period = self.day if table.period == "day" else self.day.replace(day=1)
        rows = {}
        for grain in table.grains:
            dimensions = (self.dimensions[d.name] if grain & d.bit else "" for d in table.dimensions)
            hours = (self.hours,) if table.hours else ()
            rows[(grain, period, *dimensions, *hours, self.shard)] = counters
        return rows


def shard_of(report_id: uuid.UUID | str) -> int:
    """A report's shard: spread evenly over random ids, and the same for all of a report's writes."""
    return (report_id.int if isinstance(report_id, uuid.UUID) else uuid.UUID(report_id).int) % SHARDS


async def apply(connection: BaseDBAsyncClient, before: Facts | None, after: Facts | None) -> None:
    """Move one report's counts from `before` to `after` (None: the report did not or does not exist).

    Tables are written in one order and rows in key order, so two transactions touching the same rows lock them in
    the same order."""
    dialect = dialect_of(connection)
    for table in TABLES:
        deltas: dict[Key, list[int]] = {}
        for sign, facts in ((-1, before), (1, after)):
            for key, counters in ({} if facts is None else facts.rows(table)).items():
                total = deltas.setdefault(key, [0] * len(table.counters))
                for index, value in enumerate(counters):
                    total[index] += sign * value
        rows = [
            [grain, date_value(dialect, period), *rest, *counters]
            for (grain, period, *rest), counters in sorted(deltas.items())
            if any(counters)
        ]
        if rows:
            upsert = Statement(_upsert(table, len(rows), dialect), tuple(value for row in rows for value in row))
            await connection.execute_query(upsert.sql, list(upsert.params))
    await cells.apply(connection, before, after)


@cache
def _upsert(table: Table, count: int, dialect: Dialect) -> str:
    """Written once per table, row count and database: every submission and decision runs these."""
    return Statement(table.upsert(count)).numbered(dialect).sql


async def rebuild(connection: BaseDBAsyncClient) -> int:
    """Recompute every row of every rollup from the reports, in the caller's transaction; returns the number of rows.

    Rows go in grain by grain, so each grain's rows share few pages, and the planner gets fresh statistics."""
    dialect = dialect_of(connection)
    count = 0
    for table in TABLES:
        await connection.execute_query(f"DELETE FROM {table.name}")
        await connection.execute_query(
            f"INSERT INTO {table.name} ({', '.join(table.columns)}) {table.from_reports(dialect)} "
            f"ORDER BY {', '.join(table.key_columns)}"
        )
        await connection.execute_query(f"ANALYZE {table.name}")
        rows = await connection.execute_query_dict(f"SELECT COUNT(*) AS n FROM {table.name}")
        count += int(rows[0]["n"])
    return count + await cells.rebuild(connection)


async def drift(connection: BaseDBAsyncClient, limit: int = 10) -> list[dict[str, Any]]:
    """Rows where a rollup and the reports disagree, its shards summed: what the reports say (`side` 'reports') that
    the rollup lacks, and what the rollup holds (`side` 'rollup') that the reports do not say, then the table's name.
    Empty when they agree."""
    dialect = dialect_of(connection)
    found: list[dict[str, Any]] = []
    for table in TABLES:
        keys = ", ".join(table.key_columns)
        stored = (
            f"SELECT {keys}, {', '.join(f'SUM({name}) AS {name}' for name in table.counters)} FROM {table.name} "
            f"GROUP BY {keys} HAVING " + " OR ".join(f"SUM({name}) <> 0" for name in table.counters)
        )
        expected = f"SELECT {keys}, {', '.join(table.counters)} FROM ({table.from_reports(dialect)}) r"
        missing, extra = f"({expected} EXCEPT {stored})", f"({stored} EXCEPT {expected})"
        found += await connection.execute_query_dict(
            f"SELECT * FROM (SELECT 'reports' AS side, e.*, '{table.name}' AS rollup FROM {missing} e "
            f"UNION ALL SELECT 'rollup', s.*, '{table.name}' FROM {extra} s) d "
            f"ORDER BY grain, {table.period} LIMIT {int(limit)}"
        )
    return (found + await cells.drift(connection, limit))[:limit]
