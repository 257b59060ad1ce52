"""Agency views through GraphQL: staff, workload and overdue reports for the agency's own admin and for admins;
children; a fixed number of SQL statements for a list of agencies of any length."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from auth.tokens import TokenCodec
from models.agencies import Agency
from models.enums import AgencyKind, ReportStatus, Role
from models.reference import Ward
from tests.helpers.factories import Caller, make_caller, make_report
from tests.helpers.graphql import error_codes, gql, only_data
from tests.helpers.query_count import count_queries

VIEW = """
query($id: ID!) {
  agency(id: $id) {
    code
    staff { id fullName role active }
    workload { open overdue byStatus { status count } byOfficer { officer { id } open overdue } }
    overdueReports(first: 10) { totalCount edges { node { code overdue } } }
  }
}
"""
LIST = """
query($kind: AgencyKind) {
  agencies(kind: $kind) {
    code parent { code } children { code } wards { code } categories { code }
    staff { id role } workload { open overdue byStatus { status count } byOfficer { officer { fullName } open } }
  }
}
"""


async def pc08_id() -> str:
    return str((await Agency.get(code="PC08")).id)


async def test_the_agency_admin_sees_staff_workload_and_overdue_reports(
    client: httpx.AsyncClient, agency_admin: Caller, officer: Caller, citizen: Caller, other_officer: Caller
) -> None:
    now = datetime.now(UTC)
    late = await make_report(citizen.user, due_at=now - timedelta(hours=1))
    await make_report(
        citizen.user, status=ReportStatus.ASSIGNED, assignee=officer.user, due_at=now - timedelta(hours=2)
    )
    await make_report(citizen.user, status=ReportStatus.ASSIGNED, assignee=officer.user)
    await make_report(
        citizen.user,
        status=ReportStatus.ACCEPTED,
        assignee=officer.user,
        first_decided_at=now,
        due_at=now - timedelta(hours=3),
    )
    await make_report(citizen.user, status=ReportStatus.REJECTED, first_decided_at=now)
    await make_report(citizen.user, "CA-00070", due_at=now - timedelta(hours=1))

    view = only_data(await gql(client, VIEW, {"id": await pc08_id()}, agency_admin.token))["agency"]
    assert {(m["id"], m["role"], m["active"]) for m in view["staff"]} == {
        (str(officer.user.id), "OFFICER", True),
        (str(agency_admin.user.id), "AGENCY_ADMIN", True),
    }
    workload = view["workload"]
    assert (workload["open"], workload["overdue"]) == (4, 2)
    assert workload["byStatus"] == [
        {"status": "ROUTED", "count": 1},
        {"status": "ASSIGNED", "count": 2},
        {"status": "ACCEPTED", "count": 1},
    ]
    assert workload["byOfficer"] == [
        {"officer": {"id": str(officer.user.id)}, "open": 3, "overdue": 1},
        {"officer": None, "open": 1, "overdue": 1},
    ]
    overdue = view["overdueReports"]
    assert overdue["totalCount"] == 2
    assert late.code in {edge["node"]["code"] for edge in overdue["edges"]}
    assert all(edge["node"]["overdue"] for edge in overdue["edges"])


async def test_nobody_else_sees_an_agencys_staff_or_work(
    client: httpx.AsyncClient, codec: TokenCodec, agency_admin: Caller, officer: Caller, admin: Caller
) -> None:
    other = str((await Agency.get(code="CA-00070")).id)
    citizen = await make_caller(codec, Role.CITIZEN)
    for token, agency, code in (
        (agency_admin.token, other, "FORBIDDEN"),
        (officer.token, await pc08_id(), "FORBIDDEN"),
        (citizen.token, await pc08_id(), "FORBIDDEN"),
        (None, await pc08_id(), "UNAUTHENTICATED"),
    ):
        body = await gql(client, VIEW, {"id": agency}, token)
        assert error_codes(body) == [code] * 3
        assert body["data"]["agency"]["staff"] is None
        assert body["data"]["agency"]["workload"] is None
        assert body["data"]["agency"]["overdueReports"] is None
    seen = only_data(await gql(client, VIEW, {"id": other}, admin.token))["agency"]
    assert seen["workload"] == {"open": 0, "overdue": 0, "byStatus": [], "byOfficer": []}


async def test_in_a_list_an_agency_admin_gets_their_own_and_forbidden_for_the_others(
    client: httpx.AsyncClient, agency_admin: Caller
) -> None:
    body = await gql(client, LIST, {"kind": "TRAFFIC_POLICE"}, agency_admin.token)
    agencies = body["data"]["agencies"]
    assert next(a for a in agencies if a["code"] == "PC08")["staff"] == [
        {"id": str(agency_admin.user.id), "role": "AGENCY_ADMIN"}
    ]
    assert {a["code"] for a in agencies if a["staff"] is None} == {a["code"] for a in agencies} - {"PC08"}
    assert set(error_codes(body)) == {"FORBIDDEN"}
    assert len(body["errors"]) == 2 * (len(agencies) - 1)


async def test_children_and_parent(client: httpx.AsyncClient) -> None:
    agencies = only_data(await gql(client, "{ agencies { code parent { code } children { code } } }"))["agencies"]
    pc08 = next(a for a in agencies if a["code"] == "PC08")
    assert [child["code"] for child in pc08["children"]] == [f"PC08-D{n}" for n in range(1, 7)]
    assert pc08["parent"] == {"code": "CAHN"}


async def test_a_list_of_agencies_costs_the_same_queries_at_any_length(
    client: httpx.AsyncClient, admin: Caller, officer: Caller, other_officer: Caller, citizen: Caller
) -> None:
    await make_report(citizen.user, status=ReportStatus.ASSIGNED, assignee=officer.user)
    await make_report(citizen.user, "CA-00070", status=ReportStatus.ASSIGNED, assignee=other_officer.user)
    team = await Agency.create(code="PC08-TEST", name="Đội thử", kind=AgencyKind.TRAFFIC_POLICE)
    await team.wards.add(await Ward.get(code="00070"))
    counts: list[int] = []
    sizes: list[int] = []
    await gql(client, LIST, {}, admin.token)  # the reference cache at hand, as on a running server
    for variables in ({"kind": "TRAFFIC_POLICE"}, {}):
        with count_queries() as log:
            data: dict[str, Any] = only_data(await gql(client, LIST, variables, admin.token))
        counts.append(log.count)
        sizes.append(len(data["agencies"]))
    assert sizes[0] < 10 < 200 < sizes[1]
    assert counts[0] == counts[1], counts
    assert counts[0] <= 11
