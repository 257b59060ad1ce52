"""The reference cache: categories, wards and agencies read once per process, forgotten when an administrator
changes one (in this process, or in another that says so on the event bus)."""

from __future__ import annotations

from typing import Any

import httpx
from tortoise import connections

from models.agencies import Agency
from models.enums import ReportStatus
from services.reference.cache import REFERENCE_DATA
from tests.helpers.agencies_api import UPDATE_AGENCY
from tests.helpers.factories import Caller, make_report
from tests.helpers.graphql import gql, only_data
from tests.helpers.query_count import count_queries

PAGE = """
query {
  reports(first: 5) {
    edges { node {
      code category { code name serviceLevelHours } location { ward { code name } } agency { code name }
    } }
  }
}
"""
SERVICE_LEVEL = """
mutation($code: String!, $hours: Int!) { setCategoryServiceLevel(code: $code, hours: $hours) { code } }
"""
REFERENCE_TABLES = ('"category"', '"ward"', '"agency"', " category ", " ward ", " agency ")


async def page(client: httpx.AsyncClient, caller: Caller) -> list[dict[str, Any]]:
    data = only_data(await gql(client, PAGE, {}, caller.token))
    return [edge["node"] for edge in data["reports"]["edges"]]


def reads_reference(statement: str) -> bool:
    head = statement.split(" WHERE ", 1)[0]
    return " FROM " in head.upper() and any(table in head for table in REFERENCE_TABLES)


async def test_a_page_reads_categories_wards_and_agencies_once_per_process(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller
) -> None:
    await make_report(citizen.user, status=ReportStatus.ASSIGNED, assignee=officer.user)
    first = await page(client, officer)
    with count_queries() as log:
        again = await page(client, officer)
    assert again == first
    assert first[0]["agency"]["code"] == "PC08"
    assert not [statement for statement in log.statements if reads_reference(statement)], log.statements


async def test_an_administrators_change_reaches_the_next_page(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller, admin: Caller
) -> None:
    report = await make_report(citizen.user, status=ReportStatus.ASSIGNED, assignee=officer.user)
    before = (await page(client, officer))[0]
    agency = await Agency.get(code="PC08")
    hours = before["category"]["serviceLevelHours"] + 1
    renamed = f"{agency.name} (đổi tên)"
    try:
        only_data(await gql(client, SERVICE_LEVEL, {"code": report.category_id, "hours": hours}, admin.token))
        only_data(await gql(client, UPDATE_AGENCY, {"id": str(agency.id), "input": {"name": renamed}}, admin.token))
        after = (await page(client, officer))[0]
        assert after["category"]["serviceLevelHours"] == hours
        assert after["agency"]["name"] == renamed
    finally:
        await Agency.filter(id=agency.id).update(name=agency.name)
        only_data(await gql(client, SERVICE_LEVEL, {"code": report.category_id, "hours": hours - 1}, admin.token))


async def test_a_change_announced_by_another_process_reaches_the_next_page(
    app: Any, client: httpx.AsyncClient, citizen: Caller, officer: Caller
) -> None:
    """Another worker renamed the agency (here: SQL this process's ORM does not see) and said so on the bus."""
    await make_report(citizen.user, status=ReportStatus.ASSIGNED, assignee=officer.user)
    agency = await Agency.get(code="PC08")
    await page(client, officer)
    connection = connections.get("default")
    await connection.execute_query("UPDATE agency SET name = 'Tên mới ở tiến trình khác' WHERE code = 'PC08'")
    try:
        assert (await page(client, officer))[0]["agency"]["name"] == agency.name  # not announced yet: kept
        await app.state.events.announce_account_change(REFERENCE_DATA)
        assert (await page(client, officer))[0]["agency"]["name"] == "Tên mới ở tiến trình khác"
    finally:
        await Agency.filter(id=agency.id).update(name=agency.name)
        await app.state.events.announce_account_change(REFERENCE_DATA)
