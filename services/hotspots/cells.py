"""Reports counted per grid cell for the hotspot maps, grouped by the database in one statement.

Who sees what follows `statistics` (`services.statistics.figures.resolve_scope`), with one more rule for the public:
- admins: every report of the city (or of an agency they name);
- agency staff: their own agency's reports, every cell; naming another agency is FORBIDDEN;
- citizens and anonymous callers: the whole city, but only the cells with at least `min_public_count` reports
  (k-anonymity: a cell of one or two reports would show where a citizen stood). What a cell carries (counts by
  category kind and by status) the public statistics publish anyway.

Cells are geohash prefixes of the reports' stored cell (`core.geohash`), so one indexed column serves every
precision: `GROUP BY substr(geohash, 1, p)`. Maps at the rollup's precision or coarser, with no days in the filter,
sum the hotspot rollup instead (`services.statistics.cells`), a few tens of thousands of rows rather than every
report. The densest cells come first; past `max_cells` the answer is cut and
says so (`truncated`), so a map of a fine grid over the whole city still shows where reports concentrate most.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from tortoise import connections

from auth.principal import Principal
from core import geohash
from core.errors import InvalidInput
from models.enums import CategoryKind, ReportStatus
from services.common.sql import Dialect, Statement, dialect_of
from services.statistics import cells as cell_rollup
from services.statistics.figures import Audience, Scope, StatisticsFilter, resolve_scope

MIN_PRECISION = 1
MAX_PRECISION = geohash.STORED_PRECISION
# About 4.9 x 4.6 km in Hanoi: the whole city in a few hundred cells, a ward or two per cell in the centre.
DEFAULT_PRECISION = cell_rollup.PRECISION
OPEN = (ReportStatus.ROUTED, ReportStatus.ASSIGNED)
COUNTS = ("total", "violations", "infrastructure", "open", "accepted", "rejected", "penalized", "resolved")
_KINDS = (("violations", CategoryKind.VIOLATION), ("infrastructure", CategoryKind.INFRASTRUCTURE))
_DECIDED = (
    ("accepted", ReportStatus.ACCEPTED),
    ("rejected", ReportStatus.REJECTED),
    ("penalized", ReportStatus.PENALIZED),
    ("resolved", ReportStatus.RESOLVED),
)


@dataclass(frozen=True)
class HotspotRules:
    """From settings: the public's minimum count per cell (`HOTSPOT_MIN_COUNT`) and the most cells one answer holds
    (`HOTSPOT_MAX_CELLS`)."""

    min_public_count: int = 5
    max_cells: int = 2_000


@dataclass(frozen=True)
class HotspotFilter:
    """Days are Hanoi calendar days of submission, both ends included."""

    date_from: date | None = None
    date_to: date | None = None
    category_code: str | None = None
    kind: CategoryKind | None = None
    status: ReportStatus | None = None
    agency_id: str | None = None


@dataclass(frozen=True)
class Cell:
    """One cell's counts: by category kind (violations + infrastructure = total) and by status, where `open` is
    ROUTED or ASSIGNED (waiting for a decision); the five status counts add up to the total."""

    geohash: str
    total: int
    violations: int
    infrastructure: int
    open: int
    accepted: int
    rejected: int
    penalized: int
    resolved: int

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """(west, south, east, north), GeoJSON's order."""
        return geohash.bounds(self.geohash)

    @property
    def centre(self) -> tuple[float, float]:
        """(latitude, longitude)."""
        return geohash.centre(self.geohash)


@dataclass(frozen=True)
class Hotspots:
    audience: Audience
    precision: int
    min_count: int
    truncated: bool
    cells: list[Cell]


def check_precision(precision: int, field: str = "precision") -> int:
    if not MIN_PRECISION <= precision <= MAX_PRECISION:
        raise InvalidInput(
            f"The precision must be from {MIN_PRECISION} to {MAX_PRECISION}.",
            field=field,
            min=MIN_PRECISION,
            max=MAX_PRECISION,
        )
    return precision


async def hotspots(principal: Principal | None, wanted: HotspotFilter, precision: int, rules: HotspotRules) -> Hotspots:
    """The cells of the reports the caller may count, densest first, in one statement: from the hotspot rollup when
    it serves the query (`source_for`), else from the reports."""
    check_precision(precision)
    scope = resolve_scope(
        principal,
        StatisticsFilter(
            date_from=wanted.date_from,
            date_to=wanted.date_to,
            agency_id=wanted.agency_id,
            category_code=wanted.category_code,
        ),
    )
    min_count = max(1, rules.min_public_count) if scope.audience is Audience.PUBLIC else 1
    connection = connections.get("default")
    statement = cells_statement(scope, wanted, precision, min_count, rules.max_cells + 1)
    rows = await connection.execute_query_dict(*_run(statement, dialect_of(connection)))
    cells = [Cell(str(row["cell"]), *(int(row[name]) for name in COUNTS)) for row in rows[: rules.max_cells]]
    return Hotspots(scope.audience, precision, min_count, len(rows) > rules.max_cells, cells)


@dataclass(frozen=True)
class Source:
    """Where cells are counted: the reports (one row each) or the hotspot rollup (`reports` per row)."""

    table: str
    cell: str
    weight: str
    category: str
    agency: str
    status: str


REPORTS = Source("report", "geohash", "1", "category_id", "agency_id", "status")
ROLLUP = Source(cell_rollup.TABLE, "cell", "reports", "category", "agency", "status")


def source_for(scope: Scope, precision: int) -> Source:
    """The rollup keeps every report of all time at its precision: it serves coarser cells and every filter but days."""
    dated = scope.submitted_from is not None or scope.submitted_before is not None
    return ROLLUP if precision <= cell_rollup.PRECISION and not dated else REPORTS


def cells_statement(scope: Scope, wanted: HotspotFilter, precision: int, min_count: int, limit: int) -> Statement:
    """Public so that the benchmark replays exactly what the service runs. `precision` is a checked integer, written
    into the text so that both databases see one grouping expression; every value is a parameter."""
    source = source_for(scope, precision)
    cell = f"substr(r.{source.cell}, 1, {int(precision)})"
    conditions: list[tuple[str, object]] = []
    if scope.submitted_from is not None:
        conditions.append(("r.submitted_at >= ?", scope.submitted_from))
    if scope.submitted_before is not None:
        conditions.append(("r.submitted_at < ?", scope.submitted_before))
    if scope.agency_id is not None:
        agency = str(scope.agency_id) if source is ROLLUP else scope.agency_id
        conditions.append((f"r.{source.agency} = ?", agency))
    if scope.category_code is not None:
        conditions.append((f"r.{source.category} = ?", scope.category_code))
    if wanted.kind is not None:
        conditions.append(("c.kind = ?", wanted.kind.value))
    if wanted.status is not None:
        conditions.append((f"r.{source.status} = ?", wanted.status.value))
    where = " AND ".join([f"r.{source.cell} IS NOT NULL", *(condition for condition, _ in conditions)])

    def count(name: str, condition: str | None = None) -> str:
        counted = source.weight if condition is None else f"CASE WHEN {condition} THEN {source.weight} ELSE 0 END"
        return f"CAST(SUM({counted}) AS BIGINT) AS {name}"

    open_statuses = ", ".join(f"'{status.value}'" for status in OPEN)
    counts = ", ".join(
        [
            count("total"),
            *(count(name, f"c.kind = '{kind.value}'") for name, kind in _KINDS),
            count("open", f"r.{source.status} IN ({open_statuses})"),
            *(count(name, f"r.{source.status} = '{status.value}'") for name, status in _DECIDED),
        ]
    )
    return Statement(
        f"SELECT {cell} AS cell, {counts} FROM {source.table} r JOIN category c ON c.code = r.{source.category} "  # noqa: S608
        f"WHERE {where} GROUP BY {cell} HAVING SUM({source.weight}) >= ? ORDER BY total DESC, cell LIMIT ?",
        (*(value for _, value in conditions), min_count, limit),
    )


def _run(statement: Statement, dialect: Dialect) -> tuple[str, list[object]]:
    """SQLite keeps uuids as text."""
    params = [str(v) if dialect == "sqlite" and isinstance(v, uuid.UUID) else v for v in statement.params]
    return statement.numbered(dialect).sql, params
