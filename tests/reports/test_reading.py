"""Reading reports: who sees what, Relay pagination, filters, and SQL that does not grow with the page."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from models.agencies import Agency
from models.decisions import Decision
from models.enums import Channel, DecisionOutcome, ReportEventKind, ReportStatus, Role
from models.events import ReportEvent
from tests.helpers.factories import Caller, make_caller, make_media, make_report
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.query_count import count_queries
from tests.helpers.reports_api import REPORT, REPORT_FIELDS, submitted

MY_REPORTS = f"""
query($first: Int, $after: String) {{
  myReports(first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {REPORT_FIELDS} }} }}
  }}
}}
"""
REPORTS = f"""
query($filter: ReportFilter, $first: Int, $after: String) {{
  reports(filter: $filter, first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {REPORT_FIELDS} }} }}
  }}
}}
"""
REPORT_IDS = """
query($filter: ReportFilter, $first: Int, $after: String) {
  reports(filter: $filter, first: $first, after: $after) { totalCount edges { node { id } } }
}
"""


def ids(body: dict[str, Any], field: str = "reports") -> list[str]:
    return [edge["node"]["id"] for edge in only_data(body)[field]["edges"]]


async def test_who_sees_a_report(
    client: httpx.AsyncClient,
    citizen: Caller,
    officer: Caller,
    agency_admin: Caller,
    admin: Caller,
    other_officer: Caller,
    codec: Any,
) -> None:
    report = await submitted(client, citizen)  # RED_LIGHT: routed to PC08
    stranger = await make_caller(codec, Role.CITIZEN)
    for caller in (citizen, officer, agency_admin, admin):
        seen = only_data(await gql(client, REPORT, {"id": report["id"]}, caller.token))["report"]
        assert seen["id"] == report["id"]
    for caller in (stranger, other_officer):
        assert only_data(await gql(client, REPORT, {"id": report["id"]}, caller.token)) == {"report": None}
    for unknown in (str(uuid.uuid4()), "garbage", "", report["code"]):
        assert only_data(await gql(client, REPORT, {"id": unknown}, admin.token)) == {"report": None}
    assert_refused(await gql(client, REPORT, {"id": report["id"]}), "UNAUTHENTICATED")


async def test_reporter_only_for_the_handling_agency_and_admins(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller, admin: Caller
) -> None:
    report = await submitted(client, citizen)
    expected = {"id": str(citizen.user.id), "fullName": citizen.user.full_name, "phone": "0912345678"}
    for caller in (officer, admin):
        assert (
            only_data(await gql(client, REPORT, {"id": report["id"]}, caller.token))["report"]["reporter"] == expected
        )
    assert only_data(await gql(client, REPORT, {"id": report["id"]}, citizen.token))["report"]["reporter"] is None


async def test_lists_are_scoped_by_role(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller, admin: Caller, other_officer: Caller, codec: Any
) -> None:
    stranger = await make_caller(codec, Role.CITIZEN)
    red_light = await submitted(client, citizen)
    parking = await submitted(client, citizen, categoryCode="ILLEGAL_PARKING")  # CA-00070
    theirs = await submitted(client, stranger)
    assert ids(await gql(client, MY_REPORTS, {}, citizen.token), "myReports") == [parking["id"], red_light["id"]]
    assert ids(await gql(client, REPORT_IDS, {}, officer.token)) == [theirs["id"], red_light["id"]]
    assert ids(await gql(client, REPORT_IDS, {}, other_officer.token)) == [parking["id"]]
    assert ids(await gql(client, REPORT_IDS, {}, admin.token)) == [theirs["id"], parking["id"], red_light["id"]]
    assert_refused(await gql(client, REPORT_IDS, {}, citizen.token), "FORBIDDEN")
    assert_refused(await gql(client, REPORT_IDS, {}), "UNAUTHENTICATED")
    assert_refused(await gql(client, MY_REPORTS, {}), "UNAUTHENTICATED")


async def test_pagination_walks_every_report_exactly_once(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller
) -> None:
    base = datetime.now(UTC)
    # Pairs share a submission time, so the id must break ties for the walk to be exact.
    made = [await make_report(citizen.user, submitted_at=base - timedelta(minutes=i // 2)) for i in range(30)]
    for caller, field, query in ((citizen, "myReports", MY_REPORTS), (officer, "reports", REPORTS)):
        walked: list[str] = []
        after = None
        pages = 0
        while True:
            page = only_data(await gql(client, query, {"first": 7, "after": after}, caller.token))[field]
            assert page["totalCount"] == 30
            walked += [edge["node"]["id"] for edge in page["edges"]]
            assert page["edges"] == [] or page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
            pages += 1
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert pages == 5
        assert len(walked) == len(set(walked)) == 30
        expected = sorted(made, key=lambda r: (r.submitted_at, str(r.id)), reverse=True)
        assert walked == [str(r.id) for r in expected]


async def test_page_size_and_cursor_are_checked(client: httpx.AsyncClient, officer: Caller) -> None:
    for first in (0, -1, 101):
        body = await gql(client, REPORT_IDS, {"first": first}, officer.token)
        assert_refused(body, "BAD_USER_INPUT")
        assert body["errors"][0]["extensions"]["field"] == "first"
    for after in ("garbage", "", "MjAyNi0xMS0yMw", "bm90fGF8Y3Vyc29y"):
        body = await gql(client, REPORT_IDS, {"after": after}, officer.token)
        if after == "":
            assert "errors" not in body  # an empty cursor means the first page
            continue
        assert_refused(body, "BAD_USER_INPUT")
        assert body["errors"][0]["extensions"]["field"] == "after"


async def test_filters(client: httpx.AsyncClient, citizen: Caller, admin: Caller) -> None:
    now = datetime.now(UTC)
    old = await make_report(
        citizen.user,
        submitted_at=now - timedelta(days=10),
        due_at=now - timedelta(days=5),
        plate_number="30E-999.99",
        channel=Channel.WEB,
    )
    decided = await make_report(
        citizen.user,
        status=ReportStatus.ACCEPTED,
        due_at=now - timedelta(hours=1),
        first_decided_at=now,
        category_id="WRONG_WAY",
    )
    parking = await make_report(citizen.user, "CA-00070", category_id="ILLEGAL_PARKING", ward_id="00082")
    ca = await Agency.get(code="CA-00070")
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"status": "ACCEPTED"}, [decided]),
        ({"categoryCode": "ILLEGAL_PARKING"}, [parking]),
        ({"wardCode": "00082"}, [parking]),
        ({"agencyId": str(ca.id)}, [parking]),
        ({"agencyId": "garbage"}, []),
        ({"channel": "WEB"}, [old]),
        ({"submittedTo": (now - timedelta(days=1)).isoformat()}, [old]),
        ({"submittedFrom": (now - timedelta(days=1)).isoformat()}, [parking, decided]),
        ({"plateNumber": "30E99999"}, [old]),
        ({"overdue": True}, [old]),
        ({"overdue": False}, [parking, decided]),
        ({"updatedSince": (now + timedelta(days=1)).isoformat()}, []),
        ({"status": "ROUTED", "channel": "ZALO"}, [parking]),
    ]
    for condition, expected in cases:
        found = ids(await gql(client, REPORT_IDS, {"filter": condition}, admin.token))
        assert found == [str(r.id) for r in expected], condition
    body = await gql(client, REPORT_IDS, {"filter": {"plateNumber": "nonsense"}}, admin.token)
    assert_refused(body, "BAD_USER_INPUT")
    assert body["errors"][0]["extensions"]["field"] == "filter.plateNumber"


async def _populate(citizen: Caller, officer: Caller, count: int) -> None:
    for i in range(count):
        report = await make_report(citizen.user, assignee=officer.user, duplicate_of=None)
        await make_media(citizen.user, report=report)
        await ReportEvent.create(
            report=report, kind=ReportEventKind.ASSIGNED, actor=officer.user, at=report.submitted_at
        )
        await Decision.create(
            report=report, outcome=DecisionOutcome.ACCEPT, decided_by=officer.user, decided_at=report.submitted_at
        )
        if i % 2:
            await make_report(citizen.user, duplicate_of=report)


@pytest.mark.parametrize(("field", "query"), [("myReports", MY_REPORTS), ("reports", REPORTS)])
async def test_sql_does_not_grow_with_the_page(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller, field: str, query: str
) -> None:
    await _populate(citizen, officer, 30)
    caller = citizen if field == "myReports" else officer
    counts = []
    await gql(client, query, {"first": 1}, caller.token)  # the reference cache at hand, as on a running server
    for size in (5, 25):
        with count_queries() as log:
            page = only_data(await gql(client, query, {"first": size}, caller.token))[field]
        assert len(page["edges"]) == size
        counts.append(log.count)
    assert counts[0] == counts[1], counts
    # Three statements fewer than before the reference cache: categories, wards and agencies are not read again.
    assert counts[0] <= {"myReports": 6, "reports": 8}[field], counts
