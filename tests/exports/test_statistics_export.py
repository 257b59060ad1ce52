"""`exportStatistics`: the figures `statistics` answers, a row per figure, under the same role rules."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from models.agencies import Agency
from services.exports.statistics import HEADER
from tests.helpers.exports_api import EXPORT_STATISTICS, csv_rows, path_of, xlsx_rows
from tests.helpers.factories import Caller, make_report
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.statistics_api import stats

NOVEMBER = datetime(2026, 11, 10, 3, tzinfo=UTC)


async def _export(
    client: httpx.AsyncClient, caller: Caller, export_format: str, interval: str = "MONTH", **filter: object
) -> httpx.Response:
    body = await gql(
        client,
        EXPORT_STATISTICS,
        {"filter": filter or None, "format": export_format, "interval": interval},
        caller.token,
    )
    response = await client.get(path_of(only_data(body)["exportStatistics"]["url"]))
    assert response.status_code == 200, response.text
    return response


async def test_the_figures_of_statistics_as_a_table(
    client: httpx.AsyncClient, officer: Caller, citizen: Caller
) -> None:
    await make_report(citizen.user, submitted_at=NOVEMBER)
    await make_report(citizen.user, submitted_at=NOVEMBER, category_id="WRONG_WAY")
    await make_report(citizen.user, agency_code="CA-00070", submitted_at=NOVEMBER)
    figures = await stats(client, officer)

    header, *rows = csv_rows(await _export(client, officer, "CSV"))
    assert tuple(header) == HEADER
    by_section = {(row[0], row[1]): row for row in rows}
    assert by_section[("total", "")][3] == str(figures["received"]) == "2"  # the officer's agency only
    for entry in figures["byCategory"]:
        assert by_section[("category", entry["key"])][2] == entry["name"]
        assert by_section[("category", entry["key"])][3] == str(entry["received"])
    assert by_section[("series:MONTH", "2026-11-01")][3] == "2"
    assert {section for section, _ in by_section} == {
        "total",
        "category",
        "agency",
        "ward",
        "channel",
        "status",
        "series:MONTH",
    }

    workbook = xlsx_rows((await _export(client, officer, "XLSX", "DAY")).content)
    assert workbook[0] == HEADER
    assert ("series:DAY", "2026-11-10", None, 2, 0, 0, 0, 0, 0, 0, 0, 0) in workbook
    assert any(row[0] == "ward" and row[2] == "Phường Hoàn Kiếm" for row in workbook)


async def test_the_role_rules_of_statistics_hold(client: httpx.AsyncClient, officer: Caller, citizen: Caller) -> None:
    other = str((await Agency.get(code="CA-00070")).id)
    refused = await gql(
        client, EXPORT_STATISTICS, {"filter": {"agencyId": other}, "format": "CSV", "interval": "DAY"}, officer.token
    )
    assert_refused(refused, "FORBIDDEN")
    backwards = {"from": "2026-11-02", "to": "2026-11-01"}
    refused = await gql(
        client, EXPORT_STATISTICS, {"filter": backwards, "format": "CSV", "interval": "DAY"}, officer.token
    )
    assert_refused(refused, "BAD_USER_INPUT", field="filter.to")
    refused = await gql(client, EXPORT_STATISTICS, {"format": "XLSX", "interval": "DAY"}, citizen.token)
    assert_refused(refused, "FORBIDDEN")
