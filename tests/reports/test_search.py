"""The staff's search (`reports(filter: {search})`): accent-free words, plates in any spelling and codes find the
report, only among those the caller may see, together with the other filters and the pagination; bad searches are
refused with a typed error; the page's SQL does not grow with it; PostgreSQL serves it from the trigram index."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.transactions import in_transaction

from models.reports import Report
from models.search_text import INDEX_NAME
from services.reports import search as report_search
from tests.helpers.factories import Caller, make_report
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.query_count import count_queries
from tests.helpers.reports_api import REPORT_FIELDS, submitted

SEARCH = """
query($filter: ReportFilter, $first: Int, $after: String) {
  reports(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id code } }
  }
}
"""
SEARCH_PAGE = f"""
query($filter: ReportFilter, $first: Int) {{
  reports(filter: $filter, first: $first) {{ edges {{ node {{ {REPORT_FIELDS} }} }} }}
}}
"""
DECIDE = "mutation($id: ID!) { decideReport(reportId: $id, input: {outcome: ACCEPT}) { id status } }"
RED_LIGHT = "Xe ô tô vượt đèn đỏ ở ngã tư, không dừng lại."
AT_THE_LAKE = "Số 12 Đinh Tiên Hoàng, phường Hoàn Kiếm"


async def found(client: httpx.AsyncClient, caller: Caller, search: str, **conditions: Any) -> list[str]:
    body = await gql(client, SEARCH, {"filter": {"search": search, **conditions}, "first": 100}, caller.token)
    return [edge["node"]["id"] for edge in only_data(body)["reports"]["edges"]]


def located(address: str) -> dict[str, Any]:
    return {"latitude": 21.0287, "longitude": 105.8524, "address": address}


async def test_accent_free_words_plates_and_codes_find_the_accented_report(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller
) -> None:
    report = await submitted(client, citizen, description=RED_LIGHT, location=located(AT_THE_LAKE))
    other = await submitted(
        client,
        citizen,
        description="Đỗ xe trên vỉa hè, chắn lối đi bộ.",
        location=located("Ngõ 5 Tràng Tiền"),
        plateNumber="30E-987.65",
    )
    for search in (
        "vuot den do",
        "VƯỢT ĐÈN ĐỎ",
        "Vuot Den Do",
        "dinh tien hoang",
        "Đinh Tiên Hoàng",
        "hoan kiem",
        "tien hoang ngã tư",
        "29A-123.45",
        "29a 123.45",
        "29A12345",
        "29A-12345",
        "12345",
        report["code"],
        report["code"].lower(),
    ):
        assert await found(client, officer, search) == [report["id"]], search
    for search in ("do xe via he", "ĐỖ XE TRÊN", "trang tien", "30E98765", "30e 987.65"):
        assert await found(client, officer, search) == [other["id"]], search
    for search in ("vuot den do trang tien", "dinh tien hoang xyzzy", "29A-123.46", "PA-1999-999999"):
        assert await found(client, officer, search) == [], search


async def test_only_what_the_caller_may_see(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller, other_officer: Caller, admin: Caller
) -> None:
    """The same words in another agency's report: each staff member finds their agency's, the admin both."""
    ours = await submitted(client, citizen, description=RED_LIGHT, location=located(AT_THE_LAKE))  # PC08
    theirs = await submitted(
        client, citizen, categoryCode="ILLEGAL_PARKING", description=RED_LIGHT, location=located(AT_THE_LAKE)
    )  # CA-00070
    assert await found(client, officer, "vuot den do dinh tien hoang") == [ours["id"]]
    assert await found(client, other_officer, "vuot den do dinh tien hoang") == [theirs["id"]]
    assert await found(client, admin, "vuot den do dinh tien hoang") == [theirs["id"], ours["id"]]
    assert await found(client, officer, theirs["code"]) == []
    variables = {"filter": {"search": "vuot den do"}}
    assert_refused(await gql(client, SEARCH, variables, citizen.token), "FORBIDDEN")
    assert_refused(await gql(client, SEARCH, variables), "UNAUTHENTICATED")


async def test_with_the_other_filters_and_the_pagination(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller
) -> None:
    base = datetime.now(UTC)
    # Pairs share a submission time, so the id must break ties for the walk to be exact.
    matching = [
        await make_report(
            citizen.user, description=f"Vượt đèn đỏ lần {n}", submitted_at=base - timedelta(minutes=n // 2)
        )
        for n in range(7)
    ]
    await make_report(citizen.user, description="Đi ngược chiều trên phố Huế")
    parked = await make_report(citizen.user, description="Vượt đèn đỏ rồi đỗ xe", category_id="ILLEGAL_PARKING")
    walked: list[str] = []
    after = None
    while True:
        variables = {"filter": {"search": "vuot den do"}, "first": 3, "after": after}
        page = only_data(await gql(client, SEARCH, variables, officer.token))["reports"]
        assert page["totalCount"] == 8
        walked += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    newest_first = sorted([*matching, parked], key=lambda r: (r.submitted_at, str(r.id)), reverse=True)
    assert walked == [str(r.id) for r in newest_first]
    assert await found(client, officer, "vuot den do", categoryCode="ILLEGAL_PARKING") == [str(parked.id)]
    decided = only_data(await gql(client, DECIDE, {"id": str(matching[3].id)}, officer.token))["decideReport"]
    assert decided["status"] == "ACCEPTED"
    assert await found(client, officer, "vuot den do", status="ACCEPTED") == [str(matching[3].id)]
    still_open = await found(client, officer, "vuot den do", status="ROUTED")
    assert still_open == [id_ for id_ in walked if id_ != str(matching[3].id)]
    assert await found(client, officer, "vuot", plateNumber="29A12345", wardCode="00070") == walked


@pytest.mark.parametrize(
    ("search", "why"),
    [
        ("x" * 101, "too long"),
        ("", "empty"),
        ("   ", "blank"),
        ("- ... /", "no letter or digit"),
        ("xe ô đi", "no word of three letters"),
        ("mot hai ba bon nam sau bay tam chin", "nine words"),
        ("vuot\x07den", "a control character"),
        ("vuot\tden", "a tab"),
        ("vuot\u200bden", "a zero-width space"),
        ("vuot\x00den", "a NUL"),
    ],
)
async def test_bad_searches_are_refused(client: httpx.AsyncClient, officer: Caller, search: str, why: str) -> None:
    body = await gql(client, SEARCH, {"filter": {"search": search}}, officer.token)
    assert_refused(body, "BAD_USER_INPUT", field="filter.search")


async def test_the_search_text_follows_every_write(client: httpx.AsyncClient, citizen: Caller, officer: Caller) -> None:
    """An edit through `save` rewrites the search text with the field."""
    report = await make_report(citizen.user, description="Xe tải chở quá tải trọng", address="Đường Giải Phóng")
    assert await found(client, officer, "qua tai giai phong") == [str(report.id)]
    report.description = "Xe máy đi ngược chiều"
    await report.save(update_fields=["description"])
    assert await found(client, officer, "qua tai") == []
    assert await found(client, officer, "nguoc chieu giai phong") == [str(report.id)]
    report.plate_number = "88B-456.78"
    await report.save()
    assert await found(client, officer, "88B45678") == [str(report.id)]

    stored = await Report.get(id=report.id)
    assert stored.search_text == f"{report.code.lower()} 88b-456.78 88b45678 xe may di nguoc chieu duong giai phong"


async def test_the_page_costs_the_same_with_the_search(
    citizen: Caller, officer: Caller, client: Any, db_kind: str
) -> None:
    for n in range(12):
        await make_report(citizen.user, description=f"Vượt đèn đỏ lần {n}")
    await gql(client, SEARCH_PAGE, {"first": 1}, officer.token)  # the reference cache fills on the first request
    counts = []
    for search, first in ((None, 10), ("vuot den do", 2), ("vuot den do", 10)):
        conditions = {} if search is None else {"search": search}
        with count_queries() as log:
            body = await gql(client, SEARCH_PAGE, {"filter": conditions, "first": first}, officer.token)
        assert len(only_data(body)["reports"]["edges"]) == first
        counts.append(log.count)
    # A search reads the caller's newest reports first on PostgreSQL (`newest_matches`): one statement more.
    assert counts[1] == counts[2] <= counts[0] + (1 if db_kind == "postgres" else 0), counts


@contextmanager
def recorded_selects(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, list[Any]]]]:
    """The SELECTs run on PostgreSQL meanwhile, in transactions too, with their parameters."""
    original = AsyncpgDBClient.execute_query
    statements: list[tuple[str, list[Any]]] = []

    async def record(self: AsyncpgDBClient, query: str, values: list[Any] | None = None) -> Any:
        if query.lstrip().upper().startswith("SELECT"):
            statements.append((query, list(values or [])))
        return await original(self, query, values)

    with monkeypatch.context() as patched:
        patched.setattr(AsyncpgDBClient, "execute_query", record)
        yield statements


async def test_postgresql_serves_the_search_from_the_trigram_index(
    client: httpx.AsyncClient, citizen: Caller, admin: Caller, db_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The very statement of an ADMIN's search page (no agency condition), with its parameters, can be answered from
    `report_search_trgm`, which the planner then prefers when the words are rare (as the benchmark shows on a
    million reports): the LIKE Tortoise writes, a cast and an ESCAPE included, is one the index serves."""
    if db_kind != "postgres":
        pytest.skip("SQLite has no trigram index: its search scans the rows the other conditions leave")
    report = await make_report(citizen.user, description="Vượt đèn đỏ", plate_number="29A-555.66")
    with recorded_selects(monkeypatch) as statements:
        assert await found(client, admin, "29a55566 vuot") == [str(report.id)]
    (query, values), *_ = [(q, v) for q, v in statements if "search_text" in q and "LIMIT" in q]
    async with in_transaction() as connection:
        await connection.execute_script("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        plan = await connection.execute_query_dict(f"EXPLAIN {query}", values)
    assert f"Bitmap Index Scan on {INDEX_NAME}" in "\n".join(row["QUERY PLAN"] for row in plan), plan


async def test_a_search_pages_alike_from_the_newest_reports_or_from_the_index(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a probe of three reports, a common search fills some pages from the newest reports and goes to the
    trigram index for others, and a rare one always goes there: the walk is the same as ever."""
    monkeypatch.setattr(report_search, "PROBE_ROWS", 3)
    base = datetime.now(UTC)
    made = [
        await make_report(
            citizen.user,
            description="Vượt đèn đỏ" if n % 3 else "Đi ngược chiều",
            address="Hàng Bài" if n >= 8 else "Tràng Tiền",
            submitted_at=base - timedelta(minutes=n),
        )
        for n in range(10)
    ]
    walked: list[str] = []
    after = None
    while True:
        variables = {"filter": {"search": "vuot den do"}, "first": 2, "after": after}
        page = only_data(await gql(client, SEARCH, variables, officer.token))["reports"]
        walked += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert walked == [str(r.id) for n, r in enumerate(made) if n % 3]
    assert await found(client, officer, "hang bai") == [str(made[8].id), str(made[9].id)]
    assert await found(client, officer, "hang bai vuot") == [str(made[8].id)]
