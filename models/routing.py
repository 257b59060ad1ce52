"""Routing rules: which agency receives the reports of a category, or a whole kind, in a ward or anywhere."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import CategoryKind

if TYPE_CHECKING:
    from models.agencies import Agency
    from models.reference import Category, Ward


class RoutingRule(Model):
    """Sends reports of a category (or a whole category kind) in a ward (or anywhere) to an agency.

    A rule without a ward is the city-level fallback. Among matching rules the most specific wins, then priority.
    """

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    category: fields.ForeignKeyNullableRelation[Category] = fields.ForeignKeyField(
        "models.Category", related_name="routing_rules", null=True
    )
    category_id: str | None
    category_kind = fields.CharEnumField(CategoryKind, max_length=20, null=True)
    ward: fields.ForeignKeyNullableRelation[Ward] = fields.ForeignKeyField(
        "models.Ward", related_name="routing_rules", null=True
    )
    ward_id: str | None
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="routing_rules", on_delete=fields.RESTRICT
    )
    agency_id: uuid.UUID
    priority = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "routing_rule"
        indexes = (("category_kind", "ward_id"), ("category_id", "ward_id"))
