"""Photo and video evidence, from upload to the checked, metadata-free derivative that is served."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import MediaKind, MediaStatus

if TYPE_CHECKING:
    from models.reports import Report
    from models.users import User


class Media(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="media", on_delete=fields.CASCADE
    )
    owner_id: uuid.UUID
    report: fields.ForeignKeyNullableRelation[Report] = fields.ForeignKeyField(
        "models.Report", related_name="media", null=True, on_delete=fields.SET_NULL
    )
    report_id: uuid.UUID | None
    kind = fields.CharEnumField(MediaKind, max_length=10)
    status = fields.CharEnumField(MediaStatus, max_length=10, default=MediaStatus.PENDING, db_index=True)
    content_type = fields.CharField(max_length=100)
    declared_size_bytes = fields.BigIntField()
    declared_sha256 = fields.CharField(max_length=64, null=True)
    size_bytes = fields.BigIntField(null=True)
    sha256 = fields.CharField(max_length=64, null=True)
    object_key = fields.CharField(max_length=300, unique=True)
    derivative_key = fields.CharField(max_length=300, null=True)
    # SHA-256 of the served derivative as made, for the chain of custody and the evidence dossier.
    derivative_sha256 = fields.CharField(max_length=64, null=True)
    thumbnail_key = fields.CharField(max_length=300, null=True)
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    captured_at = fields.DatetimeField(null=True)
    gps_latitude = fields.FloatField(null=True)
    gps_longitude = fields.FloatField(null=True)
    rejection_reason = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    checked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "media"
