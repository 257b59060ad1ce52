"""Administration operations as the agency consoles send them, shared by the agency, routing and audit tests."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from tests.helpers.factories import Caller
from tests.helpers.graphql import gql, only_data

AGENCY_FIELDS = """
    id code name kind active phone email address
    parent { code } children { code } wards { code } categories { code }
"""
CREATE_AGENCY = f"mutation($input: AgencyInput!) {{ createAgency(input: $input) {{ {AGENCY_FIELDS} }} }}"
UPDATE_AGENCY = (
    f"mutation($id: ID!, $input: AgencyInput!) {{ updateAgency(id: $id, input: $input) {{ {AGENCY_FIELDS} }} }}"
)
AGENCY = f"query($id: ID!) {{ agency(id: $id) {{ {AGENCY_FIELDS} }} }}"
RULE_FIELDS = (
    "id categoryCode categoryKind wardCode priority specificity agency { code } category { code } ward { code }"
)
SET_RULE = f"mutation($input: RoutingRuleInput!) {{ setRoutingRule(input: $input) {{ {RULE_FIELDS} }} }}"
DELETE_RULE = "mutation($id: ID!) { deleteRoutingRule(id: $id) }"
RULES = f"query($filter: RoutingRuleFilter) {{ routingRules(filter: $filter) {{ {RULE_FIELDS} }} }}"
PREVIEW = """
query($category: String!, $ward: String, $lat: Float, $lon: Float) {
  routingPreview(categoryCode: $category, wardCode: $ward, latitude: $lat, longitude: $lon) {
    agency { code } rule { id wardCode categoryCode categoryKind } reason ward { code }
  }
}
"""
AUDIT_LOG = """
query($entity: String, $entityId: String, $first: Int, $after: String) {
  auditLog(entity: $entity, entityId: $entityId, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { action entity entityId before after at actor { id role } } }
  }
}
"""
_codes = itertools.count(1)


def new_code(prefix: str = "TEST") -> str:
    return f"{prefix}-{next(_codes):04d}"


async def create_agency(client: httpx.AsyncClient, admin: Caller, **fields: Any) -> dict[str, Any]:
    """A new active agency (a fresh code, kind OTHER) with the given fields; fails the test if refused."""
    values: dict[str, Any] = {"code": new_code(), "name": "Cơ quan thử nghiệm", "kind": "OTHER", **fields}
    agency: dict[str, Any] = only_data(await gql(client, CREATE_AGENCY, {"input": values}, admin.token))["createAgency"]
    return agency


async def set_rule(client: httpx.AsyncClient, admin: Caller, **fields: Any) -> dict[str, Any]:
    rule: dict[str, Any] = only_data(await gql(client, SET_RULE, {"input": fields}, admin.token))["setRoutingRule"]
    return rule


def field_of(body: dict[str, Any]) -> str | None:
    field: str | None = body["errors"][0]["extensions"].get("field")
    return field
