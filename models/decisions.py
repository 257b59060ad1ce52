"""What an agency decided about a report, and what it answered the citizen."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import DecisionOutcome

if TYPE_CHECKING:
    from models.reports import Report
    from models.users import User


class Decision(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "models.Report", related_name="decisions", on_delete=fields.CASCADE, db_index=True
    )
    report_id: uuid.UUID
    outcome = fields.CharEnumField(DecisionOutcome, max_length=10, db_index=True)
    note = fields.TextField(default="")
    response_to_citizen = fields.TextField(default="")
    fine_amount_vnd = fields.BigIntField(null=True)
    vehicle_impounded = fields.BooleanField(default=False)
    legal_basis = fields.CharField(max_length=300, default="")
    decided_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="decisions", on_delete=fields.RESTRICT
    )
    decided_by_id: uuid.UUID
    decided_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "decision"
        ordering = ("decided_at",)
