"""Administering agencies through GraphQL: create, update, deactivate; what they cover; service levels. Every
refusal names the field and writes nothing, audit entry included."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from auth.tokens import TokenCodec
from models.agencies import Agency
from models.audit import AuditEntry
from models.enums import Role
from models.reference import Category
from tests.helpers.agencies_api import AGENCY, CREATE_AGENCY, UPDATE_AGENCY, create_agency, field_of, new_code, set_rule
from tests.helpers.factories import Caller, make_caller
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.reports_api import submitted

SERVICE_LEVEL = """
mutation($code: String!, $hours: Int!) {
  setCategoryServiceLevel(code: $code, hours: $hours) { code serviceLevelHours }
}
"""

STAFF = (Role.OFFICER, Role.AGENCY_ADMIN)


async def agency_id(code: str) -> str:
    return str((await Agency.get(code=code)).id)


async def test_admin_creates_an_agency_with_wards_categories_and_parent(
    client: httpx.AsyncClient, admin: Caller
) -> None:
    created = await create_agency(
        client,
        admin,
        code=" ca-new-01 ",
        name="Đội tuần tra thử nghiệm",
        kind="TRAFFIC_POLICE",
        parentId=await agency_id("PC08"),
        wardCodes=["00070", "00004", "00070"],
        categoryCodes=["RED_LIGHT"],
        phone="024 3942 4242",
        email="doi@example.vn",
    )
    assert created["code"] == "CA-NEW-01"
    assert created["parent"] == {"code": "PC08"}
    assert sorted(w["code"] for w in created["wards"]) == ["00004", "00070"]
    assert created["categories"] == [{"code": "RED_LIGHT"}]
    assert created["active"] is True
    parent = only_data(await gql(client, AGENCY, {"id": await agency_id("PC08")}))["agency"]
    assert {"code": "CA-NEW-01"} in parent["children"]
    entry = await AuditEntry.get(entity="agency", entity_id=created["id"])
    assert entry.action == "AGENCY_CREATED"
    assert entry.actor_id == admin.user.id
    assert entry.before is None
    assert entry.after is not None
    assert entry.after["wardCodes"] == ["00004", "00070"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"wardCodes": ["00070", "99999"]}, "input.wardCodes"),
        ({"categoryCodes": ["NOT_A_CATEGORY"]}, "input.categoryCodes"),
        ({"parentId": "00000000-0000-0000-0000-000000000000"}, "input.parentId"),
        ({"parentId": "not-an-id"}, "input.parentId"),
        ({"code": "bad code!"}, "input.code"),
        ({"name": "   "}, "input.name"),
        ({"email": "not-an-address"}, "input.email"),
        ({"kind": None}, "input.kind"),
    ],
)
async def test_bad_agency_input_names_the_field_and_writes_nothing(
    client: httpx.AsyncClient, admin: Caller, overrides: dict[str, Any], field: str
) -> None:
    before = await Agency.all().count()
    values = {"code": new_code(), "name": "Cơ quan", "kind": "OTHER", "wardCodes": ["00070"], **overrides}
    body = await gql(client, CREATE_AGENCY, {"input": values}, admin.token)
    assert_refused(body, "BAD_USER_INPUT")
    assert field_of(body) == field
    assert await Agency.all().count() == before
    assert await AuditEntry.all().count() == 0


async def test_a_taken_code_is_a_conflict(client: httpx.AsyncClient, admin: Caller) -> None:
    body = await gql(
        client, CREATE_AGENCY, {"input": {"code": "pc08", "name": "Bản sao", "kind": "OTHER"}}, admin.token
    )
    assert_refused(body, "CONFLICT")
    assert field_of(body) == "input.code"
    other = await create_agency(client, admin)
    body = await gql(client, UPDATE_AGENCY, {"id": other["id"], "input": {"code": "PC08"}}, admin.token)
    assert_refused(body, "CONFLICT")
    assert (await Agency.get(id=other["id"])).code == other["code"]


async def test_an_update_changes_only_what_it_sends(client: httpx.AsyncClient, admin: Caller) -> None:
    parent = await create_agency(client, admin)
    agency = await create_agency(
        client, admin, parentId=parent["id"], wardCodes=["00070"], categoryCodes=["RED_LIGHT"], phone="1"
    )
    renamed = only_data(
        await gql(client, UPDATE_AGENCY, {"id": agency["id"], "input": {"name": "Tên mới"}}, admin.token)
    )["updateAgency"]
    assert renamed == {**agency, "name": "Tên mới"}
    cleared = only_data(
        await gql(
            client, UPDATE_AGENCY, {"id": agency["id"], "input": {"parentId": None, "wardCodes": []}}, admin.token
        )
    )["updateAgency"]
    assert cleared["parent"] is None
    assert cleared["wards"] == []
    assert cleared["categories"] == [{"code": "RED_LIGHT"}]
    entries = await AuditEntry.filter(entity_id=agency["id"], action="AGENCY_UPDATED").order_by("at")
    assert [entry.after["name"] for entry in entries if entry.after] == ["Tên mới", "Tên mới"]
    assert entries[1].before is not None
    assert entries[1].before["wardCodes"] == ["00070"]


async def test_parent_cycles_are_refused(client: httpx.AsyncClient, admin: Caller) -> None:
    top = await create_agency(client, admin)
    middle = await create_agency(client, admin, parentId=top["id"])
    bottom = await create_agency(client, admin, parentId=middle["id"])
    for parent in (bottom["id"], middle["id"], top["id"]):
        body = await gql(client, UPDATE_AGENCY, {"id": top["id"], "input": {"parentId": parent}}, admin.token)
        assert_refused(body, "BAD_USER_INPUT")
        assert field_of(body) == "input.parentId"
    assert (await Agency.get(id=top["id"])).parent_id is None


async def test_an_agency_that_rules_use_cannot_be_deactivated_or_lose_their_ward_or_category(
    client: httpx.AsyncClient, admin: Caller
) -> None:
    agency = await create_agency(client, admin, wardCodes=["00004"], categoryCodes=["RED_LIGHT"])
    rule = await set_rule(client, admin, agencyId=agency["id"], categoryCode="RED_LIGHT", wardCode="00004")
    for change, field in (
        ({"active": False}, "input.active"),
        ({"wardCodes": []}, "input.wardCodes"),
        ({"categoryCodes": ["WRONG_WAY"]}, "input.categoryCodes"),
    ):
        body = await gql(client, UPDATE_AGENCY, {"id": agency["id"], "input": {**change, "name": "x"}}, admin.token)
        assert_refused(body, "CONFLICT")
        assert field_of(body) == field
    unchanged = only_data(await gql(client, AGENCY, {"id": agency["id"]}))["agency"]
    assert unchanged == agency
    only_data(await gql(client, "mutation($id: ID!) { deleteRoutingRule(id: $id) }", {"id": rule["id"]}, admin.token))
    done = only_data(await gql(client, UPDATE_AGENCY, {"id": agency["id"], "input": {"active": False}}, admin.token))
    assert done["updateAgency"]["active"] is False


async def test_updating_an_unknown_agency_is_not_found(client: httpx.AsyncClient, admin: Caller) -> None:
    for unknown in ("00000000-0000-0000-0000-000000000000", "nope"):
        body = await gql(client, UPDATE_AGENCY, {"id": unknown, "input": {"name": "x"}}, admin.token)
        assert_refused(body, "NOT_FOUND")


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (None, "UNAUTHENTICATED"),
        (Role.CITIZEN, "FORBIDDEN"),
        (Role.OFFICER, "FORBIDDEN"),
        (Role.AGENCY_ADMIN, "FORBIDDEN"),
    ],
)
async def test_only_admins_administer_agencies(
    client: httpx.AsyncClient, codec: TokenCodec, role: Role | None, code: str
) -> None:
    token = None if role is None else (await make_caller(codec, role, "PC08" if role in STAFF else None)).token
    pc08 = await agency_id("PC08")
    calls: list[tuple[str, dict[str, Any]]] = [
        (CREATE_AGENCY, {"input": {"code": new_code(), "name": "x", "kind": "OTHER"}}),
        (UPDATE_AGENCY, {"id": pc08, "input": {"name": "Đổi tên"}}),
        (SERVICE_LEVEL, {"code": "RED_LIGHT", "hours": 1}),
    ]
    for document, variables in calls:
        assert_refused(await gql(client, document, variables, token), code)
    assert (await Agency.get(code="PC08")).name != "Đổi tên"
    assert (await Category.get(code="RED_LIGHT")).service_level_hours != 1


async def test_a_service_level_applies_to_the_next_report(
    client: httpx.AsyncClient, admin: Caller, citizen: Caller
) -> None:
    category = await Category.get(code="RED_LIGHT")
    original = category.service_level_hours
    try:
        body = await gql(client, SERVICE_LEVEL, {"code": "RED_LIGHT", "hours": original + 5}, admin.token)
        assert only_data(body)["setCategoryServiceLevel"] == {"code": "RED_LIGHT", "serviceLevelHours": original + 5}
        report = await submitted(client, citizen)
        allowed = datetime.fromisoformat(report["dueAt"]) - datetime.fromisoformat(report["submittedAt"])
        assert allowed.total_seconds() == (original + 5) * 3600
        entry = await AuditEntry.get(entity="category", entity_id="RED_LIGHT")
        assert (entry.before, entry.after) == ({"serviceLevelHours": original}, {"serviceLevelHours": original + 5})
        for variables, field in (({"code": "RED_LIGHT", "hours": 0}, "hours"), ({"code": "NOPE", "hours": 5}, "code")):
            refused = await gql(client, SERVICE_LEVEL, variables, admin.token)
            assert_refused(refused, "BAD_USER_INPUT")
            assert field_of(refused) == field
    finally:
        category.service_level_hours = original
        await category.save()
