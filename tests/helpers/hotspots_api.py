"""`hotspots` as the frontends ask it, and reports placed in known geohash cells, shared by the hotspot tests."""

from __future__ import annotations

from typing import Any

import httpx

from core import geohash
from models.reports import Report
from models.users import User
from tests.helpers.factories import Caller, make_report
from tests.helpers.graphql import gql

COUNTS = "total violations infrastructure open accepted rejected penalized resolved"
HOTSPOTS = f"""
query($filter: HotspotFilter, $precision: Int) {{
  hotspots(filter: $filter, precision: $precision) {{
    audience precision minCount truncated
    cells {{ id bbox latitude longitude {COUNTS} }}
  }}
}}
"""
# Cells around Hoàn Kiếm: A and B share their precision-6 cell (w7er8s) but not their precision-7 one; C is in
# another precision-5 cell.
CELL_A, CELL_B, CELL_C = "w7er8sp", "w7er8sq", "w7erb00"


async def ask(
    client: httpx.AsyncClient, caller: Caller | None, precision: int | None = None, **filter: Any
) -> dict[str, Any]:
    """The whole body: data and errors."""
    variables: dict[str, Any] = {"filter": filter}
    if precision is not None:
        variables["precision"] = precision
    return await gql(client, HOTSPOTS, variables, caller.token if caller else None)


async def report_in(reporter: User, cell: str, agency_code: str = "PC08", **fields: Any) -> Report:
    """A report at the centre of `cell` (a geohash of any precision)."""
    latitude, longitude = geohash.centre(cell)
    return await make_report(reporter, agency_code, latitude=latitude, longitude=longitude, **fields)


def by_cell(hotspots: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {cell["id"]: cell for cell in hotspots["cells"]}
