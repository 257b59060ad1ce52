"""Loads the reference data shipped in `models/data/` into the database.

Idempotent, and respectful of the city's own edits: wards are official and follow the file; categories and agencies
are only created when missing; routing rules are written only into an empty rule table, because once the city runs
them an administrator may delete or re-scope any of them. So an administrator's changes survive the next `phananh
seed` (run by `make run` and by the production `migrate` service).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from tortoise.transactions import in_transaction

from models.agencies import Agency
from models.enums import AgencyKind, CategoryKind, WardKind
from models.reference import Category, Ward
from models.routing import RoutingRule


@dataclass
class SeedSummary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], table: str, n: int = 1) -> None:
        bucket[table] = bucket.get(table, 0) + n

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())


def load_data(name: str) -> Any:
    return json.loads(resources.files("models").joinpath("data", name).read_text(encoding="utf-8"))


async def seed_reference_data() -> SeedSummary:
    summary = SeedSummary()
    async with in_transaction():
        wards = await _seed_wards(summary)
        categories = await _seed_categories(summary)
        agencies = await _seed_agencies(wards, summary)
        await _seed_routing_rules(wards, categories, agencies, summary)
    return summary


async def _seed_wards(summary: SeedSummary) -> list[Ward]:
    existing = {ward.code: ward for ward in await Ward.all()}
    for row in load_data("wards.json"):
        values = {
            "name": row["name"],
            "kind": WardKind(row["kind"]),
            "latitude": row["latitude"],
            "longitude": row["longitude"],
            "area_km2": row["areaKm2"],
        }
        ward = existing.get(row["code"])
        if ward is None:
            existing[row["code"]] = await Ward.create(code=row["code"], **values)
            summary.count(summary.created, "ward")
        elif any(getattr(ward, key) != value for key, value in values.items()):
            await ward.update_from_dict(values).save()
            summary.count(summary.updated, "ward")
    return list(existing.values())


async def _seed_categories(summary: SeedSummary) -> dict[str, Category]:
    existing = {category.code: category for category in await Category.all()}
    for order, row in enumerate(load_data("categories.json")):
        if row["code"] in existing:
            continue
        existing[row["code"]] = await Category.create(
            code=row["code"],
            name=row["name"],
            kind=CategoryKind(row["kind"]),
            legal_reference=row["legalReference"],
            service_level_hours=row["serviceLevelHours"],
            sort_order=order,
        )
        summary.count(summary.created, "category")
    return existing


async def _seed_agencies(wards: list[Ward], summary: SeedSummary) -> dict[str, Agency]:
    data = load_data("agencies.json")
    existing = {agency.code: agency for agency in await Agency.all()}
    wanted: list[tuple[dict[str, Any], Ward | None]] = [(row, None) for row in data["agencies"]]
    for template in data["perWard"]:
        for each_ward in wards:
            row = {
                "code": f"{template['codePrefix']}{each_ward.code}",
                "kind": template["kind"],
                "name": f"{template['namePrefix']} {each_ward.name}",
                "parent": template["parent"],
            }
            wanted.append((row, each_ward))
    for row, ward in wanted:
        if row["code"] in existing:
            continue
        parent = existing[row["parent"]] if row["parent"] else None
        agency = await Agency.create(code=row["code"], name=row["name"], kind=AgencyKind(row["kind"]), parent=parent)
        if ward is not None:
            await agency.wards.add(ward)
        existing[agency.code] = agency
        summary.count(summary.created, "agency")
    return existing


async def _seed_routing_rules(
    wards: list[Ward], categories: dict[str, Category], agencies: dict[str, Agency], summary: SeedSummary
) -> None:
    if await RoutingRule.exists():
        return
    data = load_data("routing_rules.json")
    wanted: list[tuple[Category | None, CategoryKind | None, Ward | None, Agency, int]] = []
    for row in data["city"]:
        category = categories[row["category"]] if "category" in row else None
        kind = CategoryKind(row["categoryKind"]) if "categoryKind" in row else None
        wanted.append((category, kind, None, agencies[row["agency"]], row["priority"]))
    for row in data["perWard"]:
        for each_ward in wards:
            agency = agencies[f"{row['agencyPrefix']}{each_ward.code}"]
            wanted.append((categories[row["category"]], None, each_ward, agency, row["priority"]))
    for category, kind, ward, agency, priority in wanted:
        await RoutingRule.create(category=category, category_kind=kind, ward=ward, agency=agency, priority=priority)
        if category is not None:
            await agency.categories.add(category)
        else:
            await agency.categories.add(*[c for c in categories.values() if c.kind is kind])
        summary.count(summary.created, "routing_rule")
