"""The audit log as administrators read it: one entry per change, in pages."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from models.audit import AuditEntry
from schema.accounts.types import UserType
from schema.base.info import Info
from schema.base.pagination import PageInfoType
from services.common.pagination import Page


@strawberry.type(name="AuditEntry", description="One administrative change: who, what, when, before and after.")
class AuditEntryType:
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    action: str = strawberry.field(
        description=(
            "AGENCY_CREATED, AGENCY_UPDATED, AGENCY_NOTIFICATIONS (its Zalo notification switches), ROUTING_RULE_SET, "
            "ROUTING_RULE_DELETED, CATEGORY_SERVICE_LEVEL_SET, ACCOUNTS_JOINED (by the citizen who confirmed) or "
            "ACCOUNT_JOIN_SPLIT."
        )
    )
    entity: str = strawberry.field(description="What was changed: agency, routing_rule, category or account_join.")
    entity_id: str = strawberry.field(description="Its id (its code, for a category).")
    before: JSON | None = strawberry.field(description="The record before the change; null for a creation.")
    after: JSON | None = strawberry.field(description="The record after the change; null for a deletion.")
    at: datetime = strawberry.field(description="When.")
    actor_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Who made the change.")
    async def actor(self, info: Info) -> UserType | None:
        user = await info.context.loaders.reports.user_by_id.load(self.actor_id)
        return None if user is None else UserType.from_model(user)

    @classmethod
    def from_model(cls, entry: AuditEntry) -> AuditEntryType:
        return cls(
            id=strawberry.ID(str(entry.id)),
            action=entry.action,
            entity=entry.entity,
            entity_id=entry.entity_id,
            before=None if entry.before is None else JSON(entry.before),
            after=None if entry.after is None else JSON(entry.after),
            at=entry.at,
            actor_id=entry.actor_id,
        )


@strawberry.type(name="AuditEntryEdge", description="One audit entry of a page, with its cursor.")
class AuditEntryEdgeType:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this entry.")
    node: AuditEntryType = strawberry.field(description="The entry.")


@strawberry.type(name="AuditEntryConnection", description="A page of the audit log, newest first.")
class AuditEntryConnectionType:
    edges: list[AuditEntryEdgeType] = strawberry.field(description="The entries of this page.")
    page_info: PageInfoType = strawberry.field(description="Where this page starts and ends.")
    page: strawberry.Private[Page[AuditEntry]]

    @strawberry.field(description="How many entries match, over all pages (counted only when asked for).")
    async def total_count(self) -> int:
        return await self.page.total_count()

    @classmethod
    def from_page(cls, page: Page[AuditEntry]) -> AuditEntryConnectionType:
        return cls(
            edges=[AuditEntryEdgeType(cursor=c, node=AuditEntryType.from_model(e)) for c, e in page.edges],
            page_info=PageInfoType.from_page(page),
            page=page,
        )
