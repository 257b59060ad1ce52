"""The audit trail of administration: every change to agencies, routing rules and service levels, and every join
and split of citizen accounts, with who and when.

Entries are written on the connection of the change's own transaction, so a refused or failed change leaves no
entry and a change never exists without its entry. Only admins read the trail.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from auth.principal import Principal
from core import clock
from models.audit import AuditEntry
from services.common import policies
from services.common.pagination import Page, keyset_page


async def record(
    connection: BaseDBAsyncClient,
    principal: Principal,
    action: str,
    entity: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEntry:
    return await AuditEntry.create(
        actor_id=principal.user_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
        at=clock.now(),
        using_db=connection,
    )


async def audit_log(
    principal: Principal,
    entity: str | None,
    entity_id: str | None,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> Page[AuditEntry]:
    """Newest first, optionally about one entity (`agency`, `routing_rule`, `category`, `account_join`) or one
    record of it."""
    policies.require_admin(principal, "Only admins read the audit log.")
    query = AuditEntry.all()
    if entity:
        query = query.filter(entity=entity)
    if entity_id:
        query = query.filter(entity_id=entity_id)
    return await keyset_page(query, "at", first, after, last, before)
