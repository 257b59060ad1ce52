"""Which agency receives a report of a category in a ward, and why.

The rule that names the category itself beats one that names only its kind, and a rule for the ward beats a
city-wide one, in that order: a category-specific city rule (FLOODING to the drainage company) outranks a ward rule
for the whole kind. Among equally specific rules the higher priority wins. Rules whose agency is inactive are skipped,
so deactivating an agency sends its reports to the next rule at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q

from models.agencies import Agency, RoutingRule
from models.reference import Category

SPECIFICITY_LABELS = (
    "the rule for this category in this ward",
    "the city-wide rule for this category",
    "the rule for this kind of report in this ward",
    "the city-wide rule for this kind of report",
)


@dataclass(frozen=True)
class Route:
    agency: Agency
    rule: RoutingRule
    reason: str


def specificity(rule: RoutingRule) -> int:
    """0 is the most specific; see the module docstring for the order."""
    by_kind = 2 if rule.category_id is None else 0  # type: ignore[attr-defined]
    city_wide = 1 if rule.ward_id is None else 0  # type: ignore[attr-defined]
    return by_kind + city_wide


async def resolve_route(category: Category, ward_code: str) -> Route | None:
    """The route for (category, ward), or None when no active agency is configured for it."""
    candidates = (
        await RoutingRule.filter(Q(category_id=category.code) | Q(category_id=None, category_kind=category.kind))
        .filter(Q(ward_id=ward_code) | Q(ward_id=None), agency__active=True)
        .select_related("agency")
    )
    if not candidates:
        return None
    best = min(candidates, key=lambda rule: (specificity(rule), -rule.priority, rule.created_at, str(rule.id)))
    where = f"ward {ward_code}" if best.ward_id is not None else "anywhere in the city"  # type: ignore[attr-defined]
    reason = (
        f"{category.code} in ward {ward_code} goes to {best.agency.code} by {SPECIFICITY_LABELS[specificity(best)]} "
        f"({where}, priority {best.priority})."
    )
    return Route(agency=best.agency, rule=best, reason=reason)
