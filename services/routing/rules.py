"""Administration of routing rules: listing, setting (create or update) and deleting, with the invariants that keep
every report routable.

- A rule names a category or a whole category kind (exactly one), a ward or none (the city-level rule), an active
  agency and a priority. A ward rule needs an agency covering that ward; a category rule an agency handling it.
- No two rules have the same scope (category or kind, and ward): the second is a CONFLICT, edit the first instead.
- Every category kind keeps a city-level rule to an active agency, so that no ward is ever left without a route for
  any category: deleting or moving the last one is a CONFLICT.

Rule writes lock the city-level rules (PostgreSQL; SQLite serialises writers anyway) so that two admins changing
rules at once cannot together break an invariant that each change alone keeps.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from auth.principal import Principal
from core.errors import Conflict, InvalidInput, NotFound
from core.ids import parse_uuid
from models.agencies import Agency
from models.enums import CategoryKind
from models.reference import Category, Ward
from models.routing import RoutingRule
from services.audit import log as audit
from services.common import policies

PRIORITY_RANGE = (-1000, 1000)


@dataclass(frozen=True)
class RuleDraft:
    agency_id: str
    id: str | None = None
    category_code: str | None = None
    category_kind: CategoryKind | None = None
    ward_code: str | None = None
    priority: int = 0


@dataclass(frozen=True)
class RuleFilter:
    agency_id: str | None = None
    category_code: str | None = None
    category_kind: CategoryKind | None = None
    ward_code: str | None = None
    city_level_only: bool = False


def rule_snapshot(rule: RoutingRule) -> dict[str, Any]:
    kind = rule.category_kind
    return {
        "categoryCode": rule.category_id,
        "categoryKind": kind.value if kind is not None else None,
        "wardCode": rule.ward_id,
        "agencyId": str(rule.agency_id),
        "priority": rule.priority,
    }


async def list_rules(principal: Principal, rule_filter: RuleFilter) -> list[RoutingRule]:
    """City-level rules first, then by ward; one query."""
    policies.require_admin(principal)
    query = RoutingRule.all()
    if rule_filter.agency_id is not None:
        query = query.filter(agency_id=parse_uuid(rule_filter.agency_id) or uuid.UUID(int=0))
    if rule_filter.category_code is not None:
        query = query.filter(category_id=rule_filter.category_code)
    if rule_filter.category_kind is not None:
        query = query.filter(category_kind=rule_filter.category_kind)
    if rule_filter.ward_code is not None:
        query = query.filter(ward_id=rule_filter.ward_code)
    if rule_filter.city_level_only:
        query = query.filter(ward_id=None)
    rows = await query
    return sorted(rows, key=lambda r: (r.ward_id is not None, r.ward_id or "", r.category_id or "", str(r.id)))


async def set_rule(principal: Principal, draft: RuleDraft) -> RoutingRule:
    policies.require_admin(principal)
    category, kind = await _scope(draft)
    ward = await _ward(draft.ward_code)
    low, high = PRIORITY_RANGE
    if not low <= draft.priority <= high:
        raise InvalidInput(f"Priority is {low} to {high}.", field="input.priority")
    async with in_transaction() as connection:
        await _lock_city_rules(connection)
        existing = await _existing(draft.id, connection)
        agency = await _agency(draft.agency_id, category, ward, connection)
        same_scope = RoutingRule.filter(
            category_id=category.code if category else None,
            category_kind=None if category else kind,
            ward_id=ward.code if ward else None,
        ).using_db(connection)
        if existing is not None:
            same_scope = same_scope.exclude(id=existing.id)
        if await same_scope.exists():
            raise Conflict("A rule with this category and ward exists: change that one instead.", field="input")
        before = rule_snapshot(existing) if existing is not None else None
        rule = existing or RoutingRule(agency=agency)
        rule.category = category
        rule.category_kind = None if category else kind  # type: ignore[assignment]
        rule.ward = ward
        rule.agency = agency
        rule.priority = draft.priority
        await rule.save(using_db=connection)
        await _check_fallbacks(connection, "input")
        await audit.record(
            connection, principal, "ROUTING_RULE_SET", "routing_rule", str(rule.id), before, rule_snapshot(rule)
        )
    return rule


async def delete_rule(principal: Principal, rule_id: str) -> bool:
    """Reports routed by the rule keep their agency; they only lose the link to the rule."""
    policies.require_admin(principal)
    async with in_transaction() as connection:
        await _lock_city_rules(connection)
        rule = await _get_rule(rule_id, connection)
        before = rule_snapshot(rule)
        await rule.delete(using_db=connection)
        await _check_fallbacks(connection, "id")
        await audit.record(connection, principal, "ROUTING_RULE_DELETED", "routing_rule", str(rule.id), before, None)
    return True


async def _scope(draft: RuleDraft) -> tuple[Category | None, CategoryKind]:
    if (draft.category_code is None) == (draft.category_kind is None):
        raise InvalidInput("Give exactly one of categoryCode and categoryKind.", field="input.categoryCode")
    if draft.category_kind is not None:
        return None, draft.category_kind
    category = await Category.get_or_none(code=draft.category_code, active=True)
    if category is None:
        raise InvalidInput(f"There is no active category {draft.category_code!r}.", field="input.categoryCode")
    return category, category.kind


async def _ward(ward_code: str | None) -> Ward | None:
    if ward_code is None:
        return None
    ward = await Ward.get_or_none(code=ward_code)
    if ward is None:
        raise InvalidInput(f"There is no ward {ward_code!r}.", field="input.wardCode")
    return ward


async def _existing(rule_id: str | None, connection: BaseDBAsyncClient) -> RoutingRule | None:
    return None if rule_id is None else await _get_rule(rule_id, connection)


async def _get_rule(rule_id: str, connection: BaseDBAsyncClient) -> RoutingRule:
    parsed = parse_uuid(rule_id)
    rule = None if parsed is None else await RoutingRule.get_or_none(id=parsed, using_db=connection)
    if rule is None:
        raise NotFound("There is no such routing rule.", field="id")
    return rule


async def _agency(
    agency_id: str, category: Category | None, ward: Ward | None, connection: BaseDBAsyncClient
) -> Agency:
    """Locked, so that it cannot be deactivated between this check and the commit of the rule."""
    parsed = parse_uuid(agency_id)
    agency = (
        None
        if parsed is None
        else await Agency.filter(id=parsed, active=True).select_for_update().using_db(connection).first()
    )
    if agency is None:
        raise InvalidInput("There is no active agency with this id.", field="input.agencyId")
    if ward is not None and not await agency.wards.filter(code=ward.code).using_db(connection).exists():
        raise InvalidInput(
            f"{agency.code} does not cover ward {ward.code}: add it to the agency's wardCodes first.",
            field="input.wardCode",
        )
    if category is not None and not await agency.categories.filter(code=category.code).using_db(connection).exists():
        raise InvalidInput(
            f"{agency.code} does not handle {category.code}: add it to the agency's categoryCodes first.",
            field="input.categoryCode",
        )
    return agency


async def _lock_city_rules(connection: BaseDBAsyncClient) -> None:
    await RoutingRule.filter(ward_id=None, category_id=None).select_for_update().using_db(connection)


async def _check_fallbacks(connection: BaseDBAsyncClient, field: str) -> None:
    covered = set(
        await RoutingRule.filter(ward_id=None, category_id=None, agency__active=True)
        .using_db(connection)
        .values_list("category_kind", flat=True)
    )
    for kind in CategoryKind:
        if kind not in covered and kind.value not in covered:
            raise Conflict(
                f"{kind.value} reports would have no city-level route: keep one city-wide rule per category kind.",
                field=field,
            )
