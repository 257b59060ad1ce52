"""Routing rules on the seeded reference data: the most specific rule wins, then priority; inactive agencies are
skipped. Service-level: `routingPreview` (administration) exposes the same function."""

from __future__ import annotations

from models.agencies import Agency
from models.reference import Category
from models.routing import RoutingRule
from services.routing.resolution import resolve_route


async def route_code(category_code: str, ward_code: str) -> str | None:
    route = await resolve_route(await Category.get(code=category_code), ward_code)
    return None if route is None else route.agency.code


async def test_seeded_rules_send_reports_where_the_city_wants_them() -> None:
    assert await route_code("ILLEGAL_PARKING", "00070") == "CA-00070"
    assert await route_code("RED_LIGHT", "00070") == "PC08"
    assert await route_code("RED_LIGHT", "00004") == "PC08"
    assert await route_code("ROAD_DAMAGE", "00004") == "BDT-HTKT"
    assert await route_code("FLOODING", "00070") == "THOAT-NUOC"


async def test_reason_says_which_rule_and_why() -> None:
    route = await resolve_route(await Category.get(code="ILLEGAL_PARKING"), "00070")
    assert route is not None
    assert route.rule.ward_id == "00070"
    assert "CA-00070" in route.reason
    assert "this category in this ward" in route.reason


async def test_specific_beats_priority_and_priority_breaks_ties() -> None:
    red_light = await Category.get(code="RED_LIGHT")
    team = await Agency.get(code="PC08-D1")
    other_team = await Agency.get(code="PC08-D2")
    await RoutingRule.create(category_kind=red_light.kind, ward_id="00070", agency=team, priority=-5)
    assert await route_code("RED_LIGHT", "00070") == "PC08-D1"  # a ward rule for the kind beats the city rule
    await RoutingRule.create(category_kind=red_light.kind, ward_id="00070", agency=other_team, priority=3)
    assert await route_code("RED_LIGHT", "00070") == "PC08-D2"  # same specificity: higher priority
    assert await route_code("RED_LIGHT", "00004") == "PC08"  # other wards keep the city rule


async def test_inactive_agencies_are_skipped() -> None:
    ward_police = await Agency.get(code="CA-00070")
    ward_police.active = False
    await ward_police.save()
    try:
        assert await route_code("ILLEGAL_PARKING", "00070") == "PC08"
    finally:
        ward_police.active = True
        await ward_police.save()
