"""The timeline of a report: every change, with who made it and when."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import ReportEventKind

if TYPE_CHECKING:
    from models.reports import Report
    from models.users import User


class ReportEvent(Model):
    id = fields.BigIntField(primary_key=True)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "models.Report", related_name="events", on_delete=fields.CASCADE, db_index=True
    )
    report_id: uuid.UUID
    kind = fields.CharEnumField(ReportEventKind, max_length=20)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="report_events", null=True, on_delete=fields.SET_NULL
    )
    actor_id: uuid.UUID | None
    at = fields.DatetimeField(db_index=True)
    data: dict = fields.JSONField(default=dict)

    class Meta:
        table = "report_event"
        ordering = ("at", "id")
