"""Agencies (public reference data), and administration's reads: routing rules, the preview, the audit log."""

from __future__ import annotations

from typing import Annotated

import strawberry

from models.enums import AgencyKind
from schema.agencies.admin_types import AuditEntryConnectionType, RoutingPreviewType, RoutingRuleType
from schema.agencies.inputs import RoutingRuleFilterInput
from schema.agencies.types import AgencyType
from schema.base.info import Info
from schema.base.permissions import IsAdmin, IsStaff, require_principal
from services.audit import log as audit
from services.reference import queries as reference
from services.routing import resolution as routing
from services.routing import rules as routing_rules
from services.routing.rules import RuleFilter


@strawberry.type
class Query:
    @strawberry.field(description="Agencies, by code; inactive ones only on request.")
    async def agencies(
        self,
        kind: Annotated[AgencyKind | None, strawberry.argument(description="Only this kind.")] = None,
        include_inactive: Annotated[bool, strawberry.argument(description="Also inactive agencies.")] = False,
    ) -> list[AgencyType]:
        return [AgencyType.from_model(a) for a in await reference.list_agencies(kind, include_inactive)]

    @strawberry.field(description="One agency by id, or null if there is none.")
    async def agency(
        self, id: Annotated[strawberry.ID, strawberry.argument(description="The agency's id.")]
    ) -> AgencyType | None:
        found = await reference.get_agency(id)
        return None if found is None else AgencyType.from_model(found)

    @strawberry.field(
        permission_classes=[IsAdmin], description="Routing rules, city-level first, then by ward (ADMIN)."
    )
    async def routing_rules(
        self,
        info: Info,
        filter: Annotated[
            RoutingRuleFilterInput | None, strawberry.argument(description="Conditions; none lists all.")
        ] = None,
    ) -> list[RoutingRuleType]:
        conditions = filter.to_filter() if filter is not None else RuleFilter()
        return [
            RoutingRuleType.from_model(r) for r in await routing_rules.list_rules(require_principal(info), conditions)
        ]

    @strawberry.field(
        permission_classes=[IsStaff],
        description="Where a report of this category would be routed now, and why: give a ward or a point (staff).",
    )
    async def routing_preview(
        self,
        category_code: Annotated[str, strawberry.argument(description="The category.")],
        ward_code: Annotated[str | None, strawberry.argument(description="The ward; or give a point instead.")] = None,
        latitude: Annotated[float | None, strawberry.argument(description="WGS 84 latitude of a point.")] = None,
        longitude: Annotated[float | None, strawberry.argument(description="WGS 84 longitude of a point.")] = None,
    ) -> RoutingPreviewType:
        preview = await routing.preview_route(category_code, ward_code, latitude, longitude)
        return RoutingPreviewType.from_preview(preview)

    @strawberry.field(permission_classes=[IsAdmin], description="Administrative changes, newest first (ADMIN).")
    async def audit_log(
        self,
        info: Info,
        entity: Annotated[
            str | None, strawberry.argument(description="Only changes to agency, routing_rule or category.")
        ] = None,
        entity_id: Annotated[str | None, strawberry.argument(description="Only changes to this record.")] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size: default 20, at most 100.")] = None,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
    ) -> AuditEntryConnectionType:
        page = await audit.audit_log(require_principal(info), entity, entity_id, first, after)
        return AuditEntryConnectionType.from_page(page)
