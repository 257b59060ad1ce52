"""Agency work through the endpoint: assignment, transfer, decisions, answers, and the state machine's refusals."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from models.agencies import Agency
from models.decisions import Decision
from models.enums import Role
from models.events import ReportEvent
from models.reports import Report
from tests.helpers.factories import Caller, make_caller, make_report
from tests.helpers.graphql import assert_refused, error_codes, gql, only_data
from tests.helpers.reports_api import ANSWER, ASSIGN, DECIDE, REPORT, decide, submitted

LIST = "query { reports { edges { node { id status } } } }"
FINE = 20_000_000


async def test_the_whole_way_from_submission_to_penalty(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller, agency_admin: Caller
) -> None:
    report = await submitted(client, citizen)
    assigned = only_data(
        await gql(client, ASSIGN, {"id": report["id"], "officerId": str(officer.user.id)}, agency_admin.token)
    )
    assert assigned["assignReport"]["status"] == "ASSIGNED"
    assert assigned["assignReport"]["assignee"] == {"id": str(officer.user.id)}
    assert {"id": report["id"], "status": "ASSIGNED"} in [
        e["node"] for e in only_data(await gql(client, LIST, {}, officer.token))["reports"]["edges"]
    ]
    accepted = only_data(await decide(client, officer, report["id"], outcome="ACCEPT", note="Rõ biển số"))
    assert accepted["decideReport"]["status"] == "ACCEPTED"
    assert_refused(
        await decide(client, officer, report["id"], outcome="PENALIZE", responseToCitizen=ANSWER, legalBasis="NĐ 168"),
        "BAD_USER_INPUT",
        field="input.fineAmountVnd",
    )
    assert_refused(
        await decide(client, officer, report["id"], outcome="PENALIZE", responseToCitizen=ANSWER, fineAmountVnd=FINE),
        "BAD_USER_INPUT",
        field="input.legalBasis",
    )
    assert_refused(
        await decide(client, officer, report["id"], outcome="PENALIZE", fineAmountVnd=FINE, legalBasis="NĐ 168"),
        "BAD_USER_INPUT",
        field="input.responseToCitizen",
    )
    penalized = await decide(
        client,
        officer,
        report["id"],
        outcome="PENALIZE",
        responseToCitizen=ANSWER,
        fineAmountVnd=FINE,
        legalBasis="Nghị định 168/2024/NĐ-CP, Điều 6",
        vehicleImpounded=True,
    )
    assert only_data(penalized)["decideReport"]["status"] == "PENALIZED"

    seen = only_data(await gql(client, REPORT, {"id": report["id"]}, citizen.token))["report"]
    assert seen["status"] == "PENALIZED"
    assert [d["outcome"] for d in seen["decisions"]] == ["ACCEPT", "PENALIZE"]
    answer = seen["decisions"][-1]
    assert answer["responseToCitizen"] == ANSWER
    assert answer["fineAmountVnd"] == FINE
    assert answer["vehicleImpounded"] is True
    assert answer["note"] is None  # internal notes stay inside the agency
    assert seen["assignee"] is None  # officers' identities stay inside the agency too
    kinds = [(e["kind"], e["outcome"]) for e in seen["timeline"]]
    assert kinds == [
        ("SUBMITTED", None),
        ("ROUTED", None),
        ("ASSIGNED", None),
        ("DECIDED", "ACCEPT"),
        ("DECIDED", "PENALIZE"),
    ]
    assert seen["timeline"][3]["actor"] is None  # the citizen does not learn who decided
    staff_view = only_data(await gql(client, REPORT, {"id": report["id"]}, officer.token))["report"]
    assert staff_view["decisions"][0]["note"] == "Rõ biển số"
    assert staff_view["timeline"][3]["actor"] == {"id": str(officer.user.id), "role": "OFFICER"}

    stored = await Report.get(id=report["id"])
    assert stored.accepted_at is not None
    assert stored.first_decided_at == stored.accepted_at
    assert stored.closed_at is not None
    assert stored.closed_at >= stored.accepted_at
    assert stored.fine_amount_vnd == FINE
    assert stored.vehicle_impounded is True
    assert_refused(await decide(client, officer, report["id"], outcome="RESOLVE", responseToCitizen=ANSWER), "CONFLICT")
    assert_refused(
        await gql(client, ASSIGN, {"id": report["id"], "officerId": str(officer.user.id)}, agency_admin.token),
        "CONFLICT",
    )


async def test_illegal_transitions_are_conflicts_and_write_nothing(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller
) -> None:
    report = await make_report(citizen.user)
    rid = str(report.id)
    penalty = {"responseToCitizen": ANSWER, "fineAmountVnd": 1_000_000, "legalBasis": "NĐ 168"}
    assert_refused(await decide(client, officer, rid, outcome="PENALIZE", **penalty), "CONFLICT")
    assert_refused(await decide(client, officer, rid, outcome="RESOLVE", responseToCitizen=ANSWER), "CONFLICT")
    assert_refused(
        await decide(client, officer, rid, outcome="ACCEPT", fineAmountVnd=1),
        "BAD_USER_INPUT",
        field="input.fineAmountVnd",
    )
    assert_refused(
        await decide(client, officer, rid, outcome="REJECT"), "BAD_USER_INPUT", field="input.responseToCitizen"
    )
    only_data(await decide(client, officer, rid, outcome="ACCEPT"))
    assert_refused(await decide(client, officer, rid, outcome="ACCEPT"), "CONFLICT")
    assert_refused(await decide(client, officer, rid, outcome="REJECT", responseToCitizen=ANSWER), "CONFLICT")
    assert await Decision.filter(report_id=report.id).count() == 1
    assert await ReportEvent.filter(report_id=report.id).count() == 1


async def test_infrastructure_is_resolved_directly_and_violations_rejected(
    client: httpx.AsyncClient, citizen: Caller, codec: Any
) -> None:
    road_officer = await make_caller(codec, Role.OFFICER, "BDT-HTKT")
    pothole = await make_report(citizen.user, "BDT-HTKT", category_id="ROAD_DAMAGE", plate_number=None)
    resolved = only_data(
        await decide(client, road_officer, str(pothole.id), outcome="RESOLVE", responseToCitizen=ANSWER)
    )
    assert resolved["decideReport"]["status"] == "RESOLVED"
    accepted = await make_report(citizen.user, "BDT-HTKT", category_id="ROAD_DAMAGE", plate_number=None)
    only_data(await decide(client, road_officer, str(accepted.id), outcome="ACCEPT"))
    penalty = {"responseToCitizen": ANSWER, "fineAmountVnd": 1_000_000, "legalBasis": "NĐ 168"}
    assert_refused(await decide(client, road_officer, str(accepted.id), outcome="PENALIZE", **penalty), "CONFLICT")
    stored = await Report.get(id=pothole.id)
    assert stored.closed_at is not None
    assert stored.accepted_at is None


async def test_two_officers_deciding_at_once_one_wins(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller, codec: Any
) -> None:
    colleague = await make_caller(codec, Role.OFFICER, "PC08")
    report = await make_report(citizen.user)
    bodies = await asyncio.gather(
        decide(client, officer, str(report.id), outcome="ACCEPT"),
        decide(client, colleague, str(report.id), outcome="REJECT", responseToCitizen=ANSWER),
    )
    assert sorted(error_codes(body) for body in bodies) == [[], ["CONFLICT"]]
    assert await Decision.filter(report_id=report.id).count() == 1


async def test_who_may_decide(client: httpx.AsyncClient, citizen: Caller, admin: Caller, other_officer: Caller) -> None:
    report = await make_report(citizen.user)
    assert_refused(await decide(client, citizen, str(report.id), outcome="ACCEPT"), "FORBIDDEN")
    assert_refused(await decide(client, admin, str(report.id), outcome="ACCEPT"), "FORBIDDEN")
    assert_refused(await decide(client, other_officer, str(report.id), outcome="ACCEPT"), "NOT_FOUND", field="reportId")
    for unknown in (str(uuid.uuid4()), "garbage", ""):
        assert_refused(await decide(client, other_officer, unknown, outcome="ACCEPT"), "NOT_FOUND", field="reportId")
    assert_refused(await gql(client, DECIDE, {"id": str(report.id), "input": {"outcome": "ACCEPT"}}), "UNAUTHENTICATED")
    assert await Decision.all().count() == 0


async def test_transfer_needs_a_reason_and_moves_visibility(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller, agency_admin: Caller, other_officer: Caller
) -> None:
    report = await submitted(client, citizen)
    rid = report["id"]
    ca = await Agency.get(code="CA-00070")
    assert_refused(
        await gql(client, ASSIGN, {"id": rid, "agencyId": str(ca.id)}, agency_admin.token),
        "BAD_USER_INPUT",
        field="reason",
    )
    assert_refused(
        await gql(client, ASSIGN, {"id": rid, "agencyId": "garbage", "reason": "x"}, agency_admin.token),
        "BAD_USER_INPUT",
        field="agencyId",
    )
    assert_refused(
        await gql(client, ASSIGN, {"id": rid, "officerId": str(other_officer.user.id)}, agency_admin.token),
        "BAD_USER_INPUT",
        field="officerId",
    )
    assert_refused(await gql(client, ASSIGN, {"id": rid}, agency_admin.token), "BAD_USER_INPUT", field="officerId")
    assert_refused(
        await gql(client, ASSIGN, {"id": rid, "officerId": str(officer.user.id)}, officer.token), "FORBIDDEN"
    )
    assert_refused(
        await gql(client, ASSIGN, {"id": rid, "officerId": str(other_officer.user.id)}, citizen.token), "FORBIDDEN"
    )
    moved = await gql(
        client, ASSIGN, {"id": rid, "agencyId": str(ca.id), "reason": "Đỗ xe, thuộc công an phường"}, agency_admin.token
    )
    after = only_data(moved)["assignReport"]
    assert after["agency"]["code"] == "CA-00070"
    assert after["status"] == "ROUTED"
    assert after["timeline"] == []
    assert after["reporter"] is None
    receiving = only_data(await gql(client, REPORT, {"id": rid}, other_officer.token))["report"]
    assert receiving["timeline"][-1]["kind"] == "TRANSFERRED"
    assert receiving["timeline"][-1]["reason"] == "Đỗ xe, thuộc công an phường"
    assert receiving["reporter"]["id"] == str(citizen.user.id)
    assert only_data(await gql(client, REPORT, {"id": rid}, officer.token)) == {"report": None}
    assert_refused(await decide(client, officer, rid, outcome="ACCEPT"), "NOT_FOUND")
    assert_refused(
        await gql(client, ASSIGN, {"id": rid, "officerId": str(officer.user.id)}, agency_admin.token), "NOT_FOUND"
    )
    only_data(await decide(client, other_officer, rid, outcome="ACCEPT"))


async def test_admins_assign_and_transfer_anywhere(
    client: httpx.AsyncClient, citizen: Caller, admin: Caller, other_officer: Caller
) -> None:
    report = await make_report(citizen.user)
    ca = await Agency.get(code="CA-00070")
    body = await gql(
        client,
        ASSIGN,
        {"id": str(report.id), "agencyId": str(ca.id), "officerId": str(other_officer.user.id), "reason": "Sai nơi"},
        admin.token,
    )
    after = only_data(body)["assignReport"]
    assert after["status"] == "ASSIGNED"
    assert after["assignee"] == {"id": str(other_officer.user.id)}
    assert [e["kind"] for e in after["timeline"]] == ["TRANSFERRED", "ASSIGNED"]
    inactive = await Agency.create(code="GONE", name="Gone", kind="OTHER", active=False)
    body = await gql(client, ASSIGN, {"id": str(report.id), "agencyId": str(inactive.id), "reason": "x"}, admin.token)
    assert_refused(body, "BAD_USER_INPUT", field="agencyId")
