"""Reports, and the idempotency keys that make their submission safe to retry."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import Channel, ReportStatus

if TYPE_CHECKING:
    from models.agencies import Agency
    from models.reference import Category, Ward
    from models.routing import RoutingRule
    from models.users import User


class Report(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    code = fields.CharField(max_length=20, unique=True)
    status = fields.CharEnumField(ReportStatus, max_length=20, default=ReportStatus.ROUTED, db_index=True)
    category: fields.ForeignKeyRelation[Category] = fields.ForeignKeyField(
        "models.Category", related_name="reports", on_delete=fields.RESTRICT
    )
    category_id: str
    description = fields.TextField()
    occurred_at = fields.DatetimeField()
    submitted_at = fields.DatetimeField(db_index=True)
    updated_at = fields.DatetimeField(auto_now=True, db_index=True)
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    address = fields.CharField(max_length=300, default="")
    ward: fields.ForeignKeyRelation[Ward] = fields.ForeignKeyField(
        "models.Ward", related_name="reports", on_delete=fields.RESTRICT
    )
    ward_id: str
    plate_number = fields.CharField(max_length=20, null=True, db_index=True)
    channel = fields.CharEnumField(Channel, max_length=10, db_index=True)
    reporter: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="reports", on_delete=fields.RESTRICT
    )
    reporter_id: uuid.UUID
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="reports", on_delete=fields.RESTRICT
    )
    agency_id: uuid.UUID
    assignee: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="assigned_reports", null=True, on_delete=fields.SET_NULL
    )
    assignee_id: uuid.UUID | None
    routing_rule: fields.ForeignKeyNullableRelation[RoutingRule] = fields.ForeignKeyField(
        "models.RoutingRule", related_name="reports", null=True, on_delete=fields.SET_NULL
    )
    routing_rule_id: uuid.UUID | None
    duplicate_of: fields.ForeignKeyNullableRelation[Report] = fields.ForeignKeyField(
        "models.Report", related_name="possible_duplicates", null=True, on_delete=fields.SET_NULL, db_index=True
    )
    duplicate_of_id: uuid.UUID | None
    due_at = fields.DatetimeField(null=True)
    accepted_at = fields.DatetimeField(null=True)
    first_decided_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    fine_amount_vnd = fields.BigIntField(null=True)
    vehicle_impounded = fields.BooleanField(default=False)

    class Meta:
        table = "report"
        indexes = (("agency_id", "status"), ("agency_id", "submitted_at"), ("ward_id", "submitted_at"))


class IdempotencyKey(Model):
    """Binds the retry key of a client to the report it produced. The unique pair is what makes retries safe."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="idempotency_keys", on_delete=fields.CASCADE
    )
    user_id: uuid.UUID
    key = fields.CharField(max_length=100)
    request_hash = fields.CharField(max_length=64)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "models.Report", related_name="idempotency_keys", on_delete=fields.CASCADE
    )
    report_id: uuid.UUID
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "idempotency_key"
        unique_together = (("user_id", "key"),)


class ReportCounter(Model):
    """The last report number handed out in a year. One row per year, bumped by an atomic upsert, never read first.

    SQLite only: PostgreSQL numbers with a sequence per year (`services.reports.codes`), which has no row for
    concurrent submissions to queue on."""

    year = fields.CharField(max_length=4, primary_key=True)
    value = fields.BigIntField(default=0)

    class Meta:
        table = "report_counter"
