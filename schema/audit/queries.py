"""The audit log (ADMIN)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.audit.types import AuditEntryConnectionType
from schema.base import bounds
from schema.base.info import Info
from schema.base.pagination import AFTER, BEFORE, FIRST, LAST
from schema.base.permissions import IsAdmin, require_principal
from services.audit import log


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[IsAdmin], description="Administrative changes, newest first (ADMIN).")
    async def audit_log(
        self,
        info: Info,
        entity: Annotated[
            str | None,
            bounds.argument("Only changes to agency, routing_rule, category or account_join.", bounds.AUDIT_ENTITY),
        ] = None,
        entity_id: Annotated[
            str | None, bounds.argument("Only changes to this record.", bounds.AUDIT_ENTITY_ID)
        ] = None,
        first: Annotated[int | None, FIRST] = None,
        after: Annotated[str | None, AFTER] = None,
        last: Annotated[int | None, LAST] = None,
        before: Annotated[str | None, BEFORE] = None,
    ) -> AuditEntryConnectionType:
        page = await log.audit_log(require_principal(info), entity, entity_id, first, after, last, before)
        return AuditEntryConnectionType.from_page(page)
