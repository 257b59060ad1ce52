"""Reports, and the idempotency keys that make their submission safe to retry."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from core import geohash
from models.enums import Channel, ReportStatus
from models.search_text import searchable_text

if TYPE_CHECKING:
    from models.agencies import Agency
    from models.reference import Category, Ward
    from models.routing import RoutingRule
    from models.users import User

# The fields `search_text` is made of, and those `geohash` is.
SEARCHED_FIELDS = frozenset({"code", "plate_number", "description", "address"})
LOCATED_FIELDS = frozenset({"latitude", "longitude"})


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
    # The point's cell (`core.geohash`, STORED_PRECISION), set by `save` from the point; hotspot maps group by its
    # prefixes.
    geohash = fields.CharField(max_length=geohash.STORED_PRECISION, null=True, db_index=True)
    address = fields.CharField(max_length=300, default="")
    ward: fields.ForeignKeyRelation[Ward] = fields.ForeignKeyField(
        "models.Ward", related_name="reports", on_delete=fields.RESTRICT
    )
    ward_id: str
    plate_number = fields.CharField(max_length=20, null=True, db_index=True)
    # Code, plate, description and address folded for the staff's search (`models.search_text`), set by `save`.
    search_text = fields.TextField(default="", db_default="")
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
    # The Zalo OA the report came in on (the key of its reporter's Zalo identity), which answers it (issue 19).
    zalo_oa = fields.CharField(max_length=30, null=True)
    # The legal clock of verification (services/reports/deadlines.py): set on acceptance, moved once by an extension.
    verification_due_at = fields.DatetimeField(null=True, db_index=True)
    verification_extended_at = fields.DatetimeField(null=True)
    verification_extension_reason = fields.TextField(null=True)
    verification_extended_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="verification_extensions", null=True, on_delete=fields.RESTRICT
    )
    verification_extended_by_id: uuid.UUID | None
    # Whether the decision that ended verification came within its deadline; null when verification has not ended.
    legal_deadline_met = fields.BooleanField(null=True)
    # When the author asked for the result in writing (services/letters), once.
    written_answer_requested_at = fields.DatetimeField(null=True)

    class Meta:
        table = "report"
        indexes = (("agency_id", "status"), ("agency_id", "submitted_at"), ("ward_id", "submitted_at"))

    def derive(self, written: Iterable[str] | None = None) -> list[str]:
        """Set the columns derived from others (the search text, the map cell) whose sources are among `written`
        (all of them when None), and name them: bulk inserts, which skip `save`, call it for every row."""
        derived = []
        if written is None or SEARCHED_FIELDS.intersection(written):
            self.search_text = searchable_text(self.code, self.plate_number, self.description, self.address)
            derived.append("search_text")
        if written is None or LOCATED_FIELDS.intersection(written):
            self.geohash = cell_of(self.latitude, self.longitude)
            derived.append("geohash")
        return derived

    async def save(
        self,
        using_db: BaseDBAsyncClient | None = None,
        update_fields: Iterable[str] | None = None,
        force_create: bool = False,
        force_update: bool = False,
    ) -> None:
        """Every save that writes a source of a derived column writes that column with it, so no write path can
        leave the search or the map behind what the report says."""
        written = None if update_fields is None else list(update_fields)
        derived = self.derive(written)
        if written is not None:
            written += [column for column in derived if column not in written]
        await super().save(using_db, written, force_create, force_update)


def cell_of(latitude: float | None, longitude: float | None) -> str | None:
    """The stored geohash of a point; None without one."""
    return None if latitude is None or longitude is None else geohash.encode(latitude, longitude)


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
