"""Who changed the configuration of the city, what, and when: agencies, routing rules, service levels."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.users import User


class AuditEntry(Model):
    """One administrative change, written in the transaction of the change itself so that neither exists alone."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    actor: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="audit_entries", on_delete=fields.RESTRICT
    )
    actor_id: uuid.UUID
    action = fields.CharField(max_length=40, db_index=True)
    entity = fields.CharField(max_length=40)
    entity_id = fields.CharField(max_length=64)
    before: dict | None = fields.JSONField(null=True)
    after: dict | None = fields.JSONField(null=True)
    at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "audit_entry"
        indexes = (("entity", "entity_id"),)
