"""The outbox: one row per change a live console should hear about, written in the transaction of the change.

Rows carry ids only, never personal data. A relay publishes unpublished rows after commit and stamps `published_at`.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class OutboxKind(StrEnum):
    SUBMITTED = "SUBMITTED"
    UPDATED = "UPDATED"
    TRANSFERRED = "TRANSFERRED"


class OutboxEvent(Model):
    """A change of a report waiting to be published, or already published, to the event bus."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharEnumField(OutboxKind, max_length=20)
    report_id = fields.UUIDField()
    agency_id = fields.UUIDField()
    reporter_id = fields.UUIDField()
    created_at = fields.DatetimeField(auto_now_add=True)
    published_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "outbox_event"
        ordering = ("id",)
