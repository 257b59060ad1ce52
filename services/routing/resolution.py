"""Which agency receives a report of a category in a ward, and why.

The rule that names the category itself beats one that names only its kind, and a rule for the ward beats a
city-wide one, in that order: a category-specific city rule (FLOODING to the drainage company) outranks a ward rule
for the whole kind. Among equally specific rules the higher priority wins. Rules whose agency is inactive are skipped,
so deactivating an agency sends its reports to the next rule at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from core.errors import InvalidInput
from models.agencies import Agency
from models.reference import Category, Ward
from models.routing import RoutingRule
from services.common.sql import Dialect, Statement, dialect_of
from services.reference import geo

AGENCY = "agency__"
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
    by_kind = 2 if rule.category_id is None else 0
    city_wide = 1 if rule.ward_id is None else 0
    return by_kind + city_wide


async def resolve_route(
    category: Category, ward_code: str, connection: BaseDBAsyncClient | None = None
) -> Route | None:
    """The route for (category, ward), or None when no active agency is configured for it. One statement, written
    once (`_candidates`): every submission routes, and building this query through the ORM cost more than all the
    rest of a submission's statements together."""
    connection = connection or connections.get("default")
    rows = await connection.execute_query_dict(
        _candidates(dialect_of(connection)), [category.code, category.kind.value, ward_code, True]
    )
    if not rows:
        return None
    candidates = [_rule_of(row) for row in rows]
    best = min(candidates, key=lambda rule: (specificity(rule), -rule.priority, rule.created_at, str(rule.id)))
    where = f"ward {ward_code}" if best.ward_id is not None else "anywhere in the city"
    reason = (
        f"{category.code} in ward {ward_code} goes to {best.agency.code} by {SPECIFICITY_LABELS[specificity(best)]} "
        f"({where}, priority {best.priority})."
    )
    return Route(agency=best.agency, rule=best, reason=reason)


@cache
def _candidates(dialect: Dialect) -> str:
    """The rules that could route (category, kind, ward) with their active agencies, every column of both."""
    rule_columns = ", ".join(f"r.{column}" for column in sorted(RoutingRule._meta.db_fields))
    agency_columns = ", ".join(f"a.{column} AS {AGENCY}{column}" for column in sorted(Agency._meta.db_fields))
    # The only names put into the text are the models' own column names.
    sql = (
        f"SELECT {rule_columns}, {agency_columns} FROM routing_rule r JOIN agency a ON a.id = r.agency_id "  # noqa: S608
        "WHERE (r.category_id = ? OR (r.category_id IS NULL AND r.category_kind = ?)) "
        "AND (r.ward_id = ? OR r.ward_id IS NULL) AND a.active = ?"
    )
    return Statement(sql).numbered(dialect).sql


def _rule_of(row: dict[str, Any]) -> RoutingRule:
    """A rule and its agency as the ORM would have loaded them."""
    agency_values = {key.removeprefix(AGENCY): value for key, value in row.items() if key.startswith(AGENCY)}
    rule = RoutingRule._init_from_db(**{key: value for key, value in row.items() if not key.startswith(AGENCY)})
    rule.agency = Agency._init_from_db(**agency_values)
    return rule


@dataclass(frozen=True)
class RoutePreview:
    category: Category
    ward_code: str
    route: Route | None

    @property
    def reason(self) -> str:
        if self.route is not None:
            return self.route.reason
        return f"No active agency handles {self.category.code} in ward {self.ward_code}: submissions are refused."


async def preview_route(
    category_code: str, ward_code: str | None, latitude: float | None, longitude: float | None
) -> RoutePreview:
    """Where a report would go now, by the very function submissions use; a point is placed in the ward of the
    nearest centre, as a submission without a ward code is."""
    category = await Category.get_or_none(code=category_code, active=True)
    if category is None:
        raise InvalidInput(f"There is no active category {category_code!r}.", field="categoryCode")
    if ward_code is None:
        ward_code = _ward_of_point(latitude, longitude)
    elif latitude is not None or longitude is not None:
        raise InvalidInput("Give a ward code or a point, not both.", field="wardCode")
    elif not await Ward.exists(code=ward_code):
        raise InvalidInput(f"There is no ward {ward_code!r}.", field="wardCode")
    return RoutePreview(category=category, ward_code=ward_code, route=await resolve_route(category, ward_code))


def _ward_of_point(latitude: float | None, longitude: float | None) -> str:
    if latitude is None or longitude is None:
        raise InvalidInput("Give a ward code, or both latitude and longitude.", field="wardCode")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or not geo.in_hanoi(latitude, longitude):
        raise InvalidInput("This point is not in Hanoi.", field="latitude")
    ward, _ = geo.nearest_ward(latitude, longitude)
    return ward.code
