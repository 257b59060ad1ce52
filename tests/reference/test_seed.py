"""Reference data: idempotent, complete, and respectful of administrators' edits."""

from __future__ import annotations

from models.agencies import Agency
from models.enums import AgencyKind, CategoryKind
from models.reference import Category, Ward
from models.routing import RoutingRule
from services.reference.seed import seed_reference_data


async def test_seeding_twice_changes_nothing() -> None:
    before = (await Ward.all().count(), await Category.all().count(), await Agency.all().count())
    rules_before = await RoutingRule.all().count()
    summary = await seed_reference_data()
    assert not summary.changed, (summary.created, summary.updated)
    assert (await Ward.all().count(), await Category.all().count(), await Agency.all().count()) == before
    assert await RoutingRule.all().count() == rules_before


async def test_an_administrators_edit_survives_reseeding() -> None:
    category = await Category.get(code="ROAD_DAMAGE")
    original = category.service_level_hours
    category.service_level_hours = original + 5
    await category.save()
    try:
        await seed_reference_data()
        assert (await Category.get(code="ROAD_DAMAGE")).service_level_hours == original + 5
    finally:
        category.service_level_hours = original
        await category.save()


async def test_every_ward_has_a_route_for_every_category() -> None:
    """Each ward is covered for each kind, by a ward rule or the city-level fallback, so no report is unroutable."""
    city_kinds = set(
        await RoutingRule.filter(ward_id=None, category_kind__not_isnull=True).values_list("category_kind", flat=True)
    )
    assert city_kinds == set(CategoryKind)
    parking_rules = await RoutingRule.filter(category_id="ILLEGAL_PARKING").prefetch_related("agency")
    assert len(parking_rules) == await Ward.all().count()
    assert all(r.agency.kind is AgencyKind.WARD_POLICE for r in parking_rules)
    assert all(r.agency.code == f"CA-{r.ward_id}" for r in parking_rules)


async def test_ward_agencies_cover_their_ward_and_handle_their_categories() -> None:
    police = await Agency.get(code="CA-00070").prefetch_related("wards", "categories", "parent")
    assert [w.code for w in police.wards] == ["00070"]
    assert {c.code for c in police.categories} == {"ILLEGAL_PARKING", "SIDEWALK_RIDING", "NO_HELMET"}
    assert police.parent.code == "CAHN"
    traffic_police = await Agency.get(code="PC08").prefetch_related("categories")
    violations = await Category.filter(kind=CategoryKind.VIOLATION).count()
    assert len(traffic_police.categories) == violations


async def test_a_deleted_seeded_rule_stays_deleted() -> None:
    rule = await RoutingRule.get(category_id="NO_HELMET", ward_id="00070")
    values = {"category_id": rule.category_id, "ward_id": rule.ward_id, "agency_id": rule.agency_id}
    await rule.delete()
    try:
        await seed_reference_data()
        assert not await RoutingRule.exists(category_id="NO_HELMET", ward_id="00070")
    finally:
        await RoutingRule.create(priority=rule.priority, **values)
