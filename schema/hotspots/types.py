"""Hotspot cells as frontends read them: flat leaves, so that a map of thousands of cells stays cheap to build."""

from __future__ import annotations

import strawberry

from schema.base.enums import StatisticsAudience
from services.hotspots.cells import Cell, Hotspots


@strawberry.type(name="HotspotCell", description="One geohash cell and the reports counted in it.")
class HotspotCellType:
    id: strawberry.ID = strawberry.field(
        description="The cell's geohash (its length is the precision); a cell's finer cells start with it."
    )
    bbox: list[float] = strawberry.field(description="The cell's box as [west, south, east, north] (GeoJSON bbox).")
    latitude: float = strawberry.field(description="Latitude of the cell's centre.")
    longitude: float = strawberry.field(description="Longitude of the cell's centre.")
    total: int = strawberry.field(description="Reports in the cell.")
    violations: int = strawberry.field(description="Of them, traffic violations (category kind VIOLATION).")
    infrastructure: int = strawberry.field(description="Of them, road faults (category kind INFRASTRUCTURE).")
    open: int = strawberry.field(description="Of them, waiting for a decision (ROUTED or ASSIGNED).")
    accepted: int = strawberry.field(description="Of them, ACCEPTED now (sufficient basis, not yet closed).")
    rejected: int = strawberry.field(description="Of them, REJECTED.")
    penalized: int = strawberry.field(description="Of them, PENALIZED.")
    resolved: int = strawberry.field(description="Of them, RESOLVED.")

    @classmethod
    def from_cell(cls, cell: Cell) -> HotspotCellType:
        latitude, longitude = cell.centre
        return cls(
            id=strawberry.ID(cell.geohash),
            bbox=list(cell.bbox),
            latitude=latitude,
            longitude=longitude,
            total=cell.total,
            violations=cell.violations,
            infrastructure=cell.infrastructure,
            open=cell.open,
            accepted=cell.accepted,
            rejected=cell.rejected,
            penalized=cell.penalized,
            resolved=cell.resolved,
        )


@strawberry.type(name="Hotspots", description="Reports counted per grid cell, densest cells first.")
class HotspotsType:
    audience: StatisticsAudience = strawberry.field(description="Whose reports are counted (as in `statistics`).")
    precision: int = strawberry.field(description="The geohash precision of the cells.")
    min_count: int = strawberry.field(
        description="Cells with fewer reports are left out: HOTSPOT_MIN_COUNT for the PUBLIC audience, else 1."
    )
    truncated: bool = strawberry.field(
        description="True when more cells matched than one answer holds: the densest are given; ask for a coarser "
        "precision or a narrower filter for the rest."
    )
    cells: list[HotspotCellType] = strawberry.field(description="The cells, most reports first.")

    @classmethod
    def from_hotspots(cls, found: Hotspots) -> HotspotsType:
        return cls(
            audience=found.audience,
            precision=found.precision,
            min_count=found.min_count,
            truncated=found.truncated,
            cells=[HotspotCellType.from_cell(cell) for cell in found.cells],
        )
