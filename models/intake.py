"""Reports that agency staff recorded for a provider who called the hotline, came in person or wrote by post."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.reports import Report
    from models.users import User


class ReportProvider(Model):
    """Who brought the data in and who wrote it down (Decree 61/2026, art. 18: data may arrive in person, by an
    announced hotline or by post). The name and phone are the provider's as told to staff: confidential like any
    reporter's identity, readable by the handling agency only, and never copied onto the reporter's account."""

    id = fields.IntField(primary_key=True)
    report: fields.OneToOneRelation[Report] = fields.OneToOneField(
        "models.Report", related_name="provider", on_delete=fields.CASCADE
    )
    report_id: uuid.UUID
    name = fields.CharField(max_length=200, default="")
    phone = fields.CharField(max_length=20, null=True)
    recorded_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="recorded_reports", on_delete=fields.RESTRICT
    )
    recorded_by_id: uuid.UUID
    recorded_at = fields.DatetimeField()

    class Meta:
        table = "report_provider"
