"""`hotspots` through the endpoint: exact counts per cell at two precisions, who sees which cells, the public's minimum
count, the cap on cells, refusals, and one statement per answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from core.settings import Settings
from models.agencies import Agency
from models.enums import ReportStatus
from tests.helpers.auth_flows import client_for
from tests.helpers.environment import make_settings
from tests.helpers.factories import Caller
from tests.helpers.graphql import assert_refused, only_data
from tests.helpers.hotspots_api import CELL_A, CELL_B, CELL_C, ask, by_cell, report_in
from tests.helpers.query_count import count_queries


async def three_cells(citizen: Caller) -> None:
    """Cell A: a penalized red light, a rejected one and a road fault handled by the maintenance board; cell B: an
    open red light; cell C: an accepted red light."""
    await report_in(citizen.user, CELL_A, status=ReportStatus.PENALIZED, fine_amount_vnd=4_000_000)
    await report_in(citizen.user, CELL_A, status=ReportStatus.REJECTED)
    await report_in(citizen.user, CELL_A, "BDT-HTKT", category_id="ROAD_DAMAGE", plate_number=None)
    await report_in(citizen.user, CELL_B)
    await report_in(citizen.user, CELL_C, status=ReportStatus.ACCEPTED)


async def test_counts_per_cell_at_two_precisions(client: httpx.AsyncClient, citizen: Caller, admin: Caller) -> None:
    await three_cells(citizen)
    fine = only_data(await ask(client, admin, precision=7))["hotspots"]
    assert (fine["audience"], fine["precision"], fine["minCount"], fine["truncated"]) == ("CITY", 7, 1, False)
    assert [cell["id"] for cell in fine["cells"]] == [CELL_A, CELL_B, CELL_C]  # densest first, then by id
    a = by_cell(fine)[CELL_A]
    assert {name: a[name] for name in ("total", "violations", "infrastructure", "open", "rejected", "penalized")} == {
        "total": 3,
        "violations": 2,
        "infrastructure": 1,
        "open": 1,
        "rejected": 1,
        "penalized": 1,
    }
    assert (a["accepted"], a["resolved"]) == (0, 0)
    assert by_cell(fine)[CELL_C]["accepted"] == 1
    west, south, east, north = a["bbox"]
    assert west < a["longitude"] < east
    assert south < a["latitude"] < north
    assert (round(west), round(south)) == (106, 21)  # longitude first, as GeoJSON's bbox

    coarse = by_cell(only_data(await ask(client, admin, precision=5))["hotspots"])
    assert {cell: counts["total"] for cell, counts in coarse.items()} == {CELL_A[:5]: 4, CELL_C[:5]: 1}
    assert coarse[CELL_A[:5]]["open"] == 2
    assert {cell: c["total"] for cell, c in by_cell(only_data(await ask(client, admin))["hotspots"]).items()} == {
        CELL_A[:5]: 4,
        CELL_C[:5]: 1,
    }  # precision 5 is the default


@pytest.mark.parametrize("precision", [5, 7])  # 5: from the hotspot rollup (but with days); 7: from the reports
async def test_filters_narrow_the_counted_reports(
    client: httpx.AsyncClient, citizen: Caller, admin: Caller, precision: int
) -> None:
    await three_cells(citizen)
    await report_in(citizen.user, CELL_C, submitted_at=datetime(2024, 3, 31, 18, 0, tzinfo=UTC))  # 1 April in Hanoi
    a, c = CELL_A[:precision], CELL_C[:precision]

    async def totals(**filter: str) -> dict[str, int]:
        found = by_cell(only_data(await ask(client, admin, precision, **filter))["hotspots"])
        return {cell: counts["total"] for cell, counts in found.items()}

    assert await totals(kind="INFRASTRUCTURE") == {a: 1}
    assert await totals(status="REJECTED") == {a: 1}
    assert await totals(categoryCode="ROAD_DAMAGE") == {a: 1}
    assert await totals(status="ROUTED", kind="VIOLATION") == {c: 1, CELL_B[:precision]: 1}
    agency = str((await Agency.get(code="BDT-HTKT")).id)
    assert await totals(agencyId=agency) == {a: 1}
    assert await totals(**{"from": "2024-04-01", "to": "2024-04-01"}) == {c: 1}
    assert await totals(to="2024-03-31") == {}


async def test_the_public_sees_only_cells_of_at_least_the_minimum(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller
) -> None:
    for _ in range(5):
        await report_in(citizen.user, CELL_A)
    for _ in range(4):
        await report_in(citizen.user, CELL_B)
    for caller in (None, citizen):
        public = only_data(await ask(client, caller, precision=7))["hotspots"]
        assert (public["audience"], public["minCount"]) == ("PUBLIC", 5)
        assert {cell: c["total"] for cell, c in by_cell(public).items()} == {CELL_A: 5}
    staff = only_data(await ask(client, officer, precision=7))["hotspots"]
    assert (staff["audience"], staff["minCount"]) == ("AGENCY", 1)
    assert {cell: c["total"] for cell, c in by_cell(staff).items()} == {CELL_A: 5, CELL_B: 4}
    coarse = only_data(await ask(client, None, precision=6))["hotspots"]
    assert {cell: c["total"] for cell, c in by_cell(coarse).items()} == {CELL_A[:6]: 9}


async def test_staff_count_their_own_agencys_reports_only(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller, other_officer: Caller, admin: Caller
) -> None:
    await report_in(citizen.user, CELL_A)
    await report_in(citizen.user, CELL_C, "CA-00070", category_id="ILLEGAL_PARKING")
    await report_in(citizen.user, CELL_C, "CA-00070", category_id="ILLEGAL_PARKING")
    ours = by_cell(only_data(await ask(client, officer, precision=7))["hotspots"])
    assert {cell: c["total"] for cell, c in ours.items()} == {CELL_A: 1}
    theirs = by_cell(only_data(await ask(client, other_officer, precision=7))["hotspots"])
    assert {cell: c["total"] for cell, c in theirs.items()} == {CELL_C: 2}
    city = by_cell(only_data(await ask(client, admin, precision=7))["hotspots"])
    assert {cell: c["total"] for cell, c in city.items()} == {CELL_A: 1, CELL_C: 2}
    agency_id = str(other_officer.user.agency_id)
    named = by_cell(only_data(await ask(client, admin, precision=7, agencyId=agency_id))["hotspots"])
    assert set(named) == {CELL_C}
    assert_refused(await ask(client, officer, agencyId=agency_id), "FORBIDDEN")


async def test_bad_arguments_are_refused(client: httpx.AsyncClient, admin: Caller) -> None:
    for precision in (0, 9, -1):
        assert_refused(await ask(client, admin, precision=precision), "BAD_USER_INPUT", field="precision", max=8)
    assert_refused(await ask(client, None, agencyId="not-an-id"), "BAD_USER_INPUT", field="filter.agencyId")
    assert_refused(await ask(client, None, **{"from": "2025-02-01", "to": "2025-01-01"}), "BAD_USER_INPUT")
    assert_refused(await ask(client, None, categoryCode="red light"), "BAD_USER_INPUT", field="filter.categoryCode")
    assert_refused(await ask(client, None, kind="PARKING"), "BAD_USER_INPUT")


async def test_the_answer_is_cut_to_the_densest_cells_past_the_cap(
    settings: Settings, tmp_path: Path, citizen: Caller, admin: Caller
) -> None:
    await three_cells(citizen)
    capped = make_settings(settings.database_url, tmp_path, HOTSPOT_MAX_CELLS="2", HOTSPOT_MIN_COUNT="2")
    async with client_for(capped) as http:
        fine = only_data(await ask(http, admin, precision=7))["hotspots"]
        assert fine["truncated"] is True
        assert [cell["id"] for cell in fine["cells"]] == [CELL_A, CELL_B]
        assert only_data(await ask(http, admin, precision=5))["hotspots"]["truncated"] is False
        public = only_data(await ask(http, None, precision=7))["hotspots"]
        assert (public["minCount"], [cell["id"] for cell in public["cells"]]) == (2, [CELL_A])


async def test_one_statement_whatever_the_number_of_cells(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller
) -> None:
    counts = []
    for cell in (CELL_A, CELL_B, CELL_C):
        await report_in(citizen.user, cell, submitted_at=datetime.now(UTC) - timedelta(hours=1))
        with count_queries() as log:
            found = only_data(await ask(client, officer, precision=8))["hotspots"]["cells"]
        counts.append(log.count)
        assert len(found) == len(counts)
        with count_queries() as log:
            only_data(await ask(client, None, precision=8))
        assert log.count == 1
    assert counts == [2, 2, 2]  # the caller's account, then the cells
