"""Answers sent back to citizens on the channel they wrote from, queued with the decision that caused them."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import NotificationChannel, NotificationStatus

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
    channel = fields.CharEnumField(NotificationChannel, max_length=10)
    # The Zalo OA it goes through (a key of the settings' OAs); the recipient is a user id of that OA's app.
    oa = fields.CharField(max_length=30, default="")
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


class ZaloOaToken(Model):
    """The current tokens of one Zalo OA, shared by every worker: Zalo's refresh tokens are single-use, so the pair
    lives in one place, encrypted (`services.notifications.tokens`), and is refreshed under this row's lock."""

    oa = fields.CharField(max_length=30, primary_key=True)
    access_token = fields.TextField()
    refresh_token = fields.TextField()
    expires_at = fields.DatetimeField()
    # A digest of the refresh token the settings gave: a new one there (the operator re-authorised) starts again.
    seeded_from = fields.CharField(max_length=64)
    refreshed_at = fields.DatetimeField(null=True)
    # Bumped by a worker about to refresh, before anything else in its transaction: that write is the lock.
    lock_version = fields.IntField(default=0)

    class Meta:
        table = "zalo_oa_token"
