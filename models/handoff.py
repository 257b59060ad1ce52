"""Report drafts handed from the Zalo mini-app to the city app by a single-use link."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.users import User


class Handoff(Model):
    """A draft waiting to be opened in the city app. Only the SHA-256 of the link token is stored."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    creator: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="handoffs_created", on_delete=fields.CASCADE
    )
    creator_id: uuid.UUID
    draft: dict = fields.JSONField()
    token_hash = fields.CharField(max_length=64, unique=True)
    # The phone the Zalo side proved by a sign-in code when it offered to join accounts (issue 14); null for a link
    # that hands over the draft only.
    join_phone = fields.CharField(max_length=20, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(db_index=True)
    redeemed_at = fields.DatetimeField(null=True)
    redeemed_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="handoffs_redeemed", null=True, on_delete=fields.SET_NULL
    )
    redeemed_by_id: uuid.UUID | None

    class Meta:
        table = "handoff"
