"""The audit trail of administration: every change to agencies, routing rules and service levels, with who and when.

Entries are written on the connection of the change's own transaction, so a refused or failed change leaves no
entry and a change never exists without its entry. Only admins read the trail.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from auth.principal import Principal
from models.audit import AuditEntry
from models.enums import Role
from services.errors import Forbidden, InvalidInput
from services.reference import parse_uuid
from services.report_queries import page_size


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    has_next_page: bool
    total_count: int

    @property
    def edges(self) -> list[tuple[str, AuditEntry]]:
        return [(encode_cursor(entry), entry) for entry in self.entries]

    @property
    def end_cursor(self) -> str | None:
        return encode_cursor(self.entries[-1]) if self.entries else None


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
        at=datetime.now(UTC),
        using_db=connection,
    )


def encode_cursor(entry: AuditEntry) -> str:
    raw = f"{entry.at.astimezone(UTC).isoformat()}|{entry.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        at, entry_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        parsed_at = datetime.fromisoformat(at)
    except (ValueError, binascii.Error, UnicodeError):
        raise InvalidInput("This cursor is not one we gave out.", field="after") from None
    parsed_id = parse_uuid(entry_id)
    if parsed_id is None or parsed_at.tzinfo is None:
        raise InvalidInput("This cursor is not one we gave out.", field="after")
    return parsed_at, parsed_id


async def audit_log(
    principal: Principal,
    entity: str | None,
    entity_id: str | None,
    first: int | None,
    after: str | None,
) -> AuditPage:
    """Newest first, optionally about one entity (`agency`, `routing_rule`, `category`) or one record of it."""
    if principal.role is not Role.ADMIN:
        raise Forbidden("Only admins read the audit log.")
    size = page_size(first)
    query = AuditEntry.all()
    if entity:
        query = query.filter(entity=entity)
    if entity_id:
        query = query.filter(entity_id=entity_id)
    total = await query.count()
    if after:
        at, entry_id = decode_cursor(after)
        query = query.filter(Q(at__lt=at) | Q(at=at, id__lt=entry_id))
    rows = await query.order_by("-at", "-id").limit(size + 1)
    return AuditPage(entries=rows[:size], has_next_page=len(rows) > size, total_count=total)
