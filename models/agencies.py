"""Agencies that receive reports, the wards they cover and the categories they handle."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import AgencyKind

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
    # Its own Zalo OA (a key of ZALO_OAS), through which its answers go when the citizen follows it (issue 19).
    zalo_oa = fields.CharField(max_length=30, null=True)
    # Which answers the citizen gets (services.notifications.queue): each kind can be switched off.
    notify_accepted = fields.BooleanField(default=True)
    notify_transferred = fields.BooleanField(default=True)
    notify_decided = fields.BooleanField(default=True)
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
