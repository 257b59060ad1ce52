"""The hotspot rollup (`statistics_cell`): reports per geohash cell of `PRECISION`, category, agency and status, over
all time, kept by the same `rollup.apply` as the other rollups (in the write's own transaction), rebuilt and checked
with them.

Grouping a million reports by cell takes about a second; the city's map at the default precision sums a few tens
of thousands of these rows instead (`services.hotspots` reads them for any precision up to `PRECISION` when the
filter names no days). Time is deliberately not a key: a month or a day per row would leave about one report per
row at this precision, no smaller than the reports; a filter by days reads the reports through their
`submitted_at` index instead. Rows go to the report's shard, as in the other rollups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient

from services.common.sql import Statement, dialect_of

if TYPE_CHECKING:
    from services.statistics.rollup import Facts

# The default precision of the maps (about 4.9 x 4.6 km in Hanoi): some 30,000 rows for a million reports.
PRECISION = 5
TABLE = "statistics_cell"
KEY = ("cell", "category", "agency", "status", "shard")
UPSERT = (
    f"INSERT INTO {TABLE} ({', '.join(KEY)}, reports) VALUES (?, ?, ?, ?, ?, ?) "
    f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET reports = {TABLE}.reports + excluded.reports"
)
FROM_REPORTS = (
    f"SELECT substr(geohash, 1, {PRECISION}) AS cell, category_id AS category, "
    "CAST(agency_id AS VARCHAR(36)) AS agency, status, 0 AS shard, COUNT(*) AS reports "
    "FROM report WHERE geohash IS NOT NULL GROUP BY 1, 2, 3, 4"
)


def row(facts: Facts) -> tuple[str, str, str, str, int] | None:
    """The key of the report's row, or None for a report without a point."""
    if facts.cell is None:
        return None
    dimensions = facts.dimensions
    return (facts.cell[:PRECISION], dimensions["category"], dimensions["agency"], dimensions["status"], facts.shard)


async def apply(connection: BaseDBAsyncClient, before: Facts | None, after: Facts | None) -> None:
    """Move one report from its row before to its row after (a status change, a transfer), in key order."""
    deltas: dict[tuple[str, str, str, str, int], int] = {}
    for sign, facts in ((-1, before), (1, after)):
        key = None if facts is None else row(facts)
        if key is not None:
            deltas[key] = deltas.get(key, 0) + sign
    rows = [[*key, delta] for key, delta in sorted(deltas.items()) if delta]
    if rows:
        await connection.execute_many(Statement(UPSERT).numbered(dialect_of(connection)).sql, rows)


async def rebuild(connection: BaseDBAsyncClient) -> int:
    """Every row again from the reports, in the caller's transaction; returns the number of rows."""
    await connection.execute_query(f"DELETE FROM {TABLE}")
    await connection.execute_query(
        f"INSERT INTO {TABLE} ({', '.join(KEY)}, reports) {FROM_REPORTS} ORDER BY 1, 2, 3, 4"
    )
    await connection.execute_query(f"ANALYZE {TABLE}")
    rows = await connection.execute_query_dict(f"SELECT COUNT(*) AS n FROM {TABLE}")
    return int(rows[0]["n"])


async def drift(connection: BaseDBAsyncClient, limit: int) -> list[dict[str, Any]]:
    """Where this rollup and the reports disagree, shards summed, as `rollup.drift` reports it."""
    keys = ", ".join(KEY[:-1])
    stored = f"SELECT {keys}, SUM(reports) AS reports FROM {TABLE} GROUP BY {keys} HAVING SUM(reports) <> 0"
    expected = f"SELECT {keys}, reports FROM ({FROM_REPORTS}) r"
    found: list[dict[str, Any]] = await connection.execute_query_dict(
        f"SELECT * FROM (SELECT 'reports' AS side, e.*, '{TABLE}' AS rollup FROM ({expected} EXCEPT {stored}) e "
        f"UNION ALL SELECT 'rollup', s.*, '{TABLE}' FROM ({stored} EXCEPT {expected}) s) d "
        f"ORDER BY cell LIMIT {int(limit)}"
    )
    return found
