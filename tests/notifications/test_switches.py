"""What citizens are told beyond decisions (issue 19): accepted for verification, transferred (naming the agency) and
decided, each of which an agency's admin can switch off; a kind switched off is not queued at all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from auth.tokens import TokenCodec
from models.agencies import Agency
from models.audit import AuditEntry
from models.enums import Role
from models.notifications import Notification
from tests.helpers.agencies_api import create_agency
from tests.helpers.factories import Caller, make_caller, make_report
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.handoff_calls import zalo_caller
from tests.helpers.reports_api import ANSWER, ASSIGN, decide

SET = """
mutation($id: ID!, $input: AgencyNotificationsInput!) {
  setAgencyNotifications(agencyId: $id, input: $input) { code notifications { accepted transferred decided } }
}
"""
UPDATE_OA = "mutation($id: ID!, $oa: String) { updateAgency(id: $id, input: { zaloOa: $oa }) { code zaloOa } }"


@pytest.fixture
async def pc08() -> AsyncIterator[str]:
    """The traffic police's id; its switches and OA are put back afterwards (it outlives the test)."""
    agency = await Agency.get(code="PC08")
    yield str(agency.id)
    await Agency.filter(id=agency.id).update(
        notify_accepted=True, notify_transferred=True, notify_decided=True, zalo_oa=None
    )


async def switch(client: httpx.AsyncClient, caller: Caller, agency_id: str, **switches: bool) -> dict[str, Any]:
    return await gql(client, SET, {"id": agency_id, "input": switches}, caller.token)


async def test_the_citizen_hears_of_acceptance_transfer_and_decision(
    client: httpx.AsyncClient, officer: Caller, admin: Caller
) -> None:
    zalo = await zalo_caller(client, "zl-kinds")
    accepted = await make_report(zalo.user)
    only_data(await decide(client, officer, str(accepted.id), outcome="ACCEPT"))
    only_data(await decide(client, officer, str(accepted.id), outcome="RESOLVE", responseToCitizen=ANSWER))
    moved = await make_report(zalo.user)
    target = await create_agency(client, admin, name="Đội Cảnh sát giao thông số 9")
    variables = {"id": str(moved.id), "agencyId": target["id"], "reason": "Đúng địa bàn."}
    only_data(await gql(client, ASSIGN, variables, admin.token))
    rows = await Notification.all().order_by("id")
    assert [row.kind for row in rows] == ["ACCEPTED", "DECISION", "TRANSFERRED"]
    assert "đã được tiếp nhận" in rows[0].payload["text"]
    assert ANSWER in rows[1].payload["text"]
    transferred = f"Phản ánh {moved.code} đã được chuyển đến Đội Cảnh sát giao thông số 9 để xử lý theo thẩm quyền."
    assert rows[2].payload["text"] == transferred
    assert rows[2].payload["toAgencyId"] == target["id"]


async def test_kinds_switched_off_are_not_queued(
    client: httpx.AsyncClient, officer: Caller, agency_admin: Caller, admin: Caller, pc08: str
) -> None:
    answer = only_data(await switch(client, agency_admin, pc08, accepted=False, transferred=False))
    assert answer["setAgencyNotifications"]["notifications"] == {
        "accepted": False,
        "transferred": False,
        "decided": True,
    }
    zalo = await zalo_caller(client, "zl-off")
    report = await make_report(zalo.user)
    only_data(await decide(client, officer, str(report.id), outcome="ACCEPT"))
    assert await Notification.all().count() == 0
    moved = await make_report(zalo.user)
    target = await create_agency(client, admin)
    variables = {"id": str(moved.id), "agencyId": target["id"], "reason": "Đúng địa bàn."}
    only_data(await gql(client, ASSIGN, variables, agency_admin.token))
    assert await Notification.all().count() == 0
    only_data(await decide(client, officer, str(report.id), outcome="RESOLVE", responseToCitizen=ANSWER))
    assert await Notification.all().values_list("kind", flat=True) == ["DECISION"]

    only_data(await switch(client, admin, pc08, decided=False))
    again = await make_report(zalo.user)
    only_data(await decide(client, officer, str(again.id), outcome="REJECT", responseToCitizen=ANSWER))
    assert await Notification.all().count() == 1
    entries = await AuditEntry.filter(action="AGENCY_NOTIFICATIONS", entity_id=pc08).order_by("at")
    assert [entry.after for entry in entries] == [
        {"accepted": False, "transferred": False, "decided": True},
        {"accepted": False, "transferred": False, "decided": False},
    ]


async def test_switching_is_for_the_agencys_admin_and_admins_with_typed_errors(
    client: httpx.AsyncClient, officer: Caller, codec: TokenCodec, pc08: str
) -> None:
    other_admin = await make_caller(codec, Role.AGENCY_ADMIN, "CA-00070")
    assert_refused(await switch(client, other_admin, pc08, accepted=False), "FORBIDDEN")
    assert_refused(await switch(client, officer, pc08, accepted=False), "FORBIDDEN")
    own_admin = await make_caller(codec, Role.AGENCY_ADMIN, "PC08")
    assert_refused(await switch(client, own_admin, pc08), "BAD_USER_INPUT", field="input")
    unknown = "00000000-0000-0000-0000-000000000000"
    assert_refused(await switch(client, own_admin, unknown, accepted=False), "NOT_FOUND", field="agencyId")
    assert (await Agency.get(id=pc08)).notify_accepted is True


async def test_an_admin_names_an_agencys_oa_and_an_unknown_one_is_refused(
    client: httpx.AsyncClient, admin: Caller, agency_admin: Caller, pc08: str
) -> None:
    assert only_data(await gql(client, UPDATE_OA, {"id": pc08, "oa": "maintenance"}, admin.token))["updateAgency"] == {
        "code": "PC08",
        "zaloOa": "maintenance",
    }
    assert (await Agency.get(id=pc08)).zalo_oa == "maintenance"
    body = await gql(client, UPDATE_OA, {"id": pc08, "oa": "tourism"}, admin.token)
    assert_refused(body, "BAD_USER_INPUT", field="input.zaloOa", reason="unknown_app")
    assert_refused(await gql(client, UPDATE_OA, {"id": pc08, "oa": "Not A Key"}, admin.token), "BAD_USER_INPUT")
    assert_refused(await gql(client, UPDATE_OA, {"id": pc08, "oa": None}, agency_admin.token), "FORBIDDEN")
    cleared = only_data(await gql(client, UPDATE_OA, {"id": pc08, "oa": None}, admin.token))["updateAgency"]
    assert cleared["zaloOa"] is None
    default = only_data(await gql(client, UPDATE_OA, {"id": pc08, "oa": "default"}, admin.token))["updateAgency"]
    assert default["zaloOa"] == "default"
    assert (await Agency.get(id=pc08)).zalo_oa == "", "the default OA is stored as the empty key"
