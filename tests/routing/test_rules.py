"""Routing rules through GraphQL: set, list, delete, preview; the invariants that keep every report routable."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from auth.tokens import TokenCodec
from models.agencies import Agency
from models.audit import AuditEntry
from models.enums import CategoryKind, Role
from models.routing import RoutingRule
from tests.helpers.agencies_api import (
    DELETE_RULE,
    PREVIEW,
    RULES,
    SET_RULE,
    UPDATE_AGENCY,
    create_agency,
    field_of,
    set_rule,
)
from tests.helpers.factories import Caller, make_caller
from tests.helpers.graphql import assert_refused, error_codes, gql, only_data
from tests.helpers.query_count import count_queries

SAIGON = (10.7769, 106.7009)
HOAN_KIEM_LAKE = (21.0287, 105.8524)


async def preview(client: httpx.AsyncClient, token: str | None, **variables: Any) -> dict[str, Any]:
    return await gql(client, PREVIEW, variables, token)


async def previewed_agency(client: httpx.AsyncClient, caller: Caller, category: str, ward: str) -> str:
    body = await preview(client, caller.token, category=category, ward=ward)
    code: str = only_data(body)["routingPreview"]["agency"]["code"]
    return code


async def test_admin_sets_changes_lists_and_deletes_a_rule(client: httpx.AsyncClient, admin: Caller) -> None:
    agency = await create_agency(client, admin, wardCodes=["00004"], categoryCodes=["RED_LIGHT"])
    assert await previewed_agency(client, admin, "RED_LIGHT", "00004") == "PC08"
    rule = await set_rule(client, admin, agencyId=agency["id"], categoryCode="RED_LIGHT", wardCode="00004", priority=5)
    assert rule["agency"] == {"code": agency["code"]}
    assert (rule["specificity"], rule["categoryKind"], rule["ward"]) == (0, None, {"code": "00004"})
    assert await previewed_agency(client, admin, "RED_LIGHT", "00004") == agency["code"]
    assert await previewed_agency(client, admin, "RED_LIGHT", "00070") == "PC08"

    changed = await set_rule(
        client, admin, id=rule["id"], agencyId=agency["id"], categoryCode="RED_LIGHT", wardCode="00004", priority=7
    )
    assert (changed["id"], changed["priority"]) == (rule["id"], 7)
    listed = only_data(await gql(client, RULES, {"filter": {"agencyId": agency["id"]}}, admin.token))["routingRules"]
    assert listed == [changed]
    city = only_data(await gql(client, RULES, {"filter": {"cityLevelOnly": True}}, admin.token))["routingRules"]
    assert {(r["categoryKind"], r["categoryCode"], r["agency"]["code"]) for r in city} >= {
        ("VIOLATION", None, "PC08"),
        ("INFRASTRUCTURE", None, "BDT-HTKT"),
    }

    assert only_data(await gql(client, DELETE_RULE, {"id": rule["id"]}, admin.token)) == {"deleteRoutingRule": True}
    assert await previewed_agency(client, admin, "RED_LIGHT", "00004") == "PC08"
    actions = await AuditEntry.filter(entity="routing_rule", entity_id=rule["id"]).order_by("at")
    assert [a.action for a in actions] == ["ROUTING_RULE_SET", "ROUTING_RULE_SET", "ROUTING_RULE_DELETED"]
    assert actions[1].before == {**(actions[0].after or {}), "priority": 5}
    assert actions[2].after is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"categoryKind": "VIOLATION"}, "input.categoryCode"),
        ({"categoryCode": None}, "input.categoryCode"),
        ({"categoryCode": "NOPE"}, "input.categoryCode"),
        ({"wardCode": "99999"}, "input.wardCode"),
        ({"wardCode": "00070"}, "input.wardCode"),
        ({"categoryCode": "WRONG_WAY"}, "input.categoryCode"),
        ({"agencyId": "00000000-0000-0000-0000-000000000000"}, "input.agencyId"),
        ({"agencyId": "PC08"}, "input.agencyId"),
        ({"priority": 5000}, "input.priority"),
    ],
)
async def test_bad_rules_name_the_field_and_write_nothing(
    client: httpx.AsyncClient, admin: Caller, overrides: dict[str, Any], field: str
) -> None:
    agency = await create_agency(client, admin, wardCodes=["00004"], categoryCodes=["RED_LIGHT"])
    before = await RoutingRule.all().count()
    values = {"agencyId": agency["id"], "categoryCode": "RED_LIGHT", "wardCode": "00004", **overrides}
    body = await gql(client, SET_RULE, {"input": values}, admin.token)
    assert_refused(body, "BAD_USER_INPUT")
    assert field_of(body) == field
    assert await RoutingRule.all().count() == before
    assert not await AuditEntry.filter(entity="routing_rule").exists()


async def test_no_rule_may_point_at_an_inactive_agency(client: httpx.AsyncClient, admin: Caller) -> None:
    agency = await create_agency(client, admin, wardCodes=["00004"], categoryCodes=["RED_LIGHT"], active=False)
    body = await gql(client, SET_RULE, {"input": {"agencyId": agency["id"], "categoryCode": "RED_LIGHT"}}, admin.token)
    assert_refused(body, "BAD_USER_INPUT")
    assert field_of(body) == "input.agencyId"


async def test_a_second_rule_of_the_same_scope_is_a_conflict(client: httpx.AsyncClient, admin: Caller) -> None:
    agency = await create_agency(client, admin, wardCodes=["00070", "00004"], categoryCodes=["ILLEGAL_PARKING"])
    seeded = {"agencyId": agency["id"], "categoryCode": "ILLEGAL_PARKING", "wardCode": "00070"}
    body = await gql(client, SET_RULE, {"input": seeded}, admin.token)
    assert_refused(body, "CONFLICT")
    own = await set_rule(client, admin, agencyId=agency["id"], categoryKind="VIOLATION", wardCode="00004")
    moved = {**seeded, "id": own["id"], "categoryCode": None, "categoryKind": "VIOLATION", "wardCode": None}
    assert_refused(await gql(client, SET_RULE, {"input": moved}, admin.token), "CONFLICT")
    assert (await RoutingRule.get(id=own["id"])).ward_id == "00004"


async def test_the_city_level_rule_of_a_kind_cannot_be_removed(client: httpx.AsyncClient, admin: Caller) -> None:
    fallback = await RoutingRule.get(category_kind=CategoryKind.VIOLATION, category_id=None, ward_id=None)
    body = await gql(client, DELETE_RULE, {"id": str(fallback.id)}, admin.token)
    assert_refused(body, "CONFLICT")
    assert field_of(body) == "id"
    pc08 = await Agency.get(code="PC08")
    agency = await create_agency(client, admin, wardCodes=["00004"])
    to_ward = {"id": str(fallback.id), "agencyId": agency["id"], "categoryKind": "VIOLATION", "wardCode": "00004"}
    body = await gql(client, SET_RULE, {"input": to_ward}, admin.token)
    assert_refused(body, "CONFLICT")
    assert await RoutingRule.filter(id=fallback.id, ward_id=None, agency_id=pc08.id).exists()
    assert not await AuditEntry.all().filter(entity="routing_rule").exists()
    unknown = await gql(client, DELETE_RULE, {"id": "00000000-0000-0000-0000-000000000000"}, admin.token)
    assert_refused(unknown, "NOT_FOUND")


async def test_preview_by_point_and_its_refusals(client: httpx.AsyncClient, officer: Caller) -> None:
    body = await preview(
        client, officer.token, category="ILLEGAL_PARKING", lat=HOAN_KIEM_LAKE[0], lon=HOAN_KIEM_LAKE[1]
    )
    found = only_data(body)["routingPreview"]
    assert found["ward"] == {"code": "00070"}
    assert found["agency"] == {"code": "CA-00070"}
    assert found["rule"]["wardCode"] == "00070"
    assert "CA-00070" in found["reason"]
    assert "this category in this ward" in found["reason"]
    for variables, field in (
        ({"category": "RED_LIGHT", "lat": SAIGON[0], "lon": SAIGON[1]}, "latitude"),
        ({"category": "RED_LIGHT"}, "wardCode"),
        ({"category": "RED_LIGHT", "lat": HOAN_KIEM_LAKE[0]}, "wardCode"),
        ({"category": "RED_LIGHT", "ward": "00070", "lat": 21.0, "lon": 105.8}, "wardCode"),
        ({"category": "RED_LIGHT", "ward": "99999"}, "wardCode"),
        ({"category": "NOPE", "ward": "00070"}, "categoryCode"),
    ):
        refused = await preview(client, officer.token, **variables)
        assert_refused(refused, "BAD_USER_INPUT")
        assert field_of(refused) == field


@pytest.mark.parametrize("role", [None, Role.CITIZEN, Role.OFFICER, Role.AGENCY_ADMIN])
async def test_only_admins_manage_rules_and_only_staff_preview(
    client: httpx.AsyncClient, codec: TokenCodec, role: Role | None
) -> None:
    caller = None if role is None else await make_caller(codec, role, None if role is Role.CITIZEN else "PC08")
    token = None if caller is None else caller.token
    denied = "UNAUTHENTICATED" if role is None else "FORBIDDEN"
    fallback = await RoutingRule.get(category_kind=CategoryKind.VIOLATION, category_id=None, ward_id=None)
    pc08 = await Agency.get(code="PC08")
    for document, variables in (
        (RULES, {}),
        (SET_RULE, {"input": {"agencyId": str(pc08.id), "categoryCode": "RED_LIGHT"}}),
        (DELETE_RULE, {"id": str(fallback.id)}),
    ):
        assert_refused(await gql(client, document, variables, token), denied)
    previewed = await gql(client, PREVIEW, {"category": "RED_LIGHT", "ward": "00070"}, token)
    if role in (Role.OFFICER, Role.AGENCY_ADMIN):
        assert only_data(previewed)["routingPreview"]["agency"] == {"code": "PC08"}
    else:
        assert_refused(previewed, denied)


async def test_deactivation_racing_a_new_rule_never_leaves_a_rule_on_an_inactive_agency(
    client: httpx.AsyncClient, admin: Caller
) -> None:
    for _ in range(3):
        agency = await create_agency(client, admin, wardCodes=["00004"], categoryCodes=["RED_LIGHT"])
        rule = {"agencyId": agency["id"], "categoryCode": "RED_LIGHT", "wardCode": "00004"}
        await asyncio.gather(
            gql(client, SET_RULE, {"input": rule}, admin.token),
            gql(client, UPDATE_AGENCY, {"id": agency["id"], "input": {"active": False}}, admin.token),
        )
        active = (await Agency.get(id=agency["id"])).active
        rules = await RoutingRule.filter(agency_id=agency["id"]).count()
        assert (active, rules) in {(True, 1), (False, 0)}
        await RoutingRule.filter(agency_id=agency["id"]).delete()


async def test_two_admins_adding_the_same_rule_at_once_get_one_rule(client: httpx.AsyncClient, admin: Caller) -> None:
    agencies = [await create_agency(client, admin, wardCodes=["00004"], categoryCodes=["RED_LIGHT"]) for _ in range(3)]
    rules = [{"agencyId": agency["id"], "categoryCode": "RED_LIGHT", "wardCode": "00004"} for agency in agencies]
    bodies = await asyncio.gather(*(gql(client, SET_RULE, {"input": rule}, admin.token) for rule in rules))
    assert sorted(code for body in bodies for code in error_codes(body)) == ["CONFLICT", "CONFLICT"]
    assert await RoutingRule.filter(category_id="RED_LIGHT", ward_id="00004").count() == 1
    assert await AuditEntry.filter(entity="routing_rule").count() == 1


async def test_listing_rules_costs_the_same_queries_at_any_length(client: httpx.AsyncClient, admin: Caller) -> None:
    counts, sizes = [], []
    await gql(client, RULES, {"filter": None}, admin.token)  # the reference cache at hand, as on a running server
    for rule_filter in ({"categoryCode": "FLOODING"}, {"categoryCode": "ILLEGAL_PARKING"}, None):
        with count_queries() as log:
            rules = only_data(await gql(client, RULES, {"filter": rule_filter}, admin.token))["routingRules"]
        counts.append(log.count)
        sizes.append(len(rules))
    assert sizes[0] == 1
    assert sizes[0] < 100 < sizes[1] < sizes[2]
    assert counts[1] == counts[2] <= 2  # the caller and the rules; agencies, categories, wards from the cache
