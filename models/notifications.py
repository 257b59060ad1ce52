"""Answers sent back to citizens on the channel they wrote from, queued with the decision that caused them."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import Channel, NotificationStatus

if TYPE_CHECKING:
    from models.reports import Report
    from models.users import User


class Notification(Model):
    """One message to one recipient of an outside channel (a Zalo user id), retried until sent or given up."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notifications", on_delete=fields.CASCADE
    )
    user_id: uuid.UUID
    channel = fields.CharEnumField(Channel, max_length=10)
    recipient = fields.CharField(max_length=128)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "models.Report", related_name="notifications", on_delete=fields.CASCADE
    )
    report_id: uuid.UUID
    kind = fields.CharField(max_length=30)
    payload: dict = fields.JSONField()
    status = fields.CharEnumField(NotificationStatus, max_length=10, default=NotificationStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=500, null=True)

    class Meta:
        table = "notification"
        indexes = (("status", "next_attempt_at"),)
