"""Agencies that receive reports, and the routing rules that send reports to them."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import AgencyKind, CategoryKind

if TYPE_CHECKING:
    from models.reference import Category, Ward


class Agency(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    code = fields.CharField(max_length=40, unique=True)
    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(AgencyKind, max_length=20, db_index=True)
    parent: fields.ForeignKeyNullableRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    parent_id: uuid.UUID | None
    phone = fields.CharField(max_length=40, default="")
    email = fields.CharField(max_length=200, default="")
    address = fields.CharField(max_length=300, default="")
    active = fields.BooleanField(default=True)
    wards: fields.ManyToManyRelation[Ward] = fields.ManyToManyField(
        "models.Ward", related_name="agencies", through="agency_ward"
    )
    categories: fields.ManyToManyRelation[Category] = fields.ManyToManyField(
        "models.Category", related_name="agencies", through="agency_category"
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "agency"
        ordering = ("code",)


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
