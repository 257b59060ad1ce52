"""The chain of custody of a report's evidence: append-only entries, each holding the previous entry's hash.

One chain per report (not one for the whole city), so that appends to different reports never wait for each other;
`seq` numbers a report's entries from 1 and is unique with the report, so two appends can never both take the same
place (a fork). `entry_hash` is the SHA-256 of the canonical JSON of every other column but the database id, plus
`previous_hash` (`services.custody.chain.entry_digest`). Rows are only ever inserted (`services.custody.log.append`);
on PostgreSQL a trigger refuses UPDATE and DELETE, except the DELETE that cascades from deleting the report itself.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from models.enums import CustodyKind

if TYPE_CHECKING:
    from models.reports import Report


class CustodyEntry(Model):
    id = fields.BigIntField(primary_key=True)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "models.Report", related_name="custody_entries", on_delete=fields.CASCADE
    )
    report_id: uuid.UUID
    seq = fields.IntField()
    kind = fields.CharEnumField(CustodyKind, max_length=20)
    # No foreign key: the chain must read the same however accounts are later merged or removed.
    actor_id = fields.UUIDField(null=True)
    detail: dict[str, Any] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()
    previous_hash = fields.CharField(max_length=64)
    entry_hash = fields.CharField(max_length=64)

    class Meta:
        table = "custody_entry"
        unique_together = (("report_id", "seq"),)
        ordering = ("report_id", "seq")


# PostgreSQL: entries are never updated or deleted, whatever path the statement takes. pg_trigger_depth() > 1 only
# inside the cascade of a report's own deletion (the foreign key's trigger runs ours).
APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION custody_entry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'custody entries are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER custody_entry_append_only BEFORE UPDATE OR DELETE ON custody_entry
    FOR EACH ROW EXECUTE FUNCTION custody_entry_append_only();
"""


async def install_append_only_guard(apps: object, schema_editor: Any) -> None:
    """The migration's step that adds the trigger; SQLite has no equivalent that lets a report's deletion through,
    so there the code path (`append` only) and the verifier are the guard."""
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor.client.execute_script(APPEND_ONLY_SQL)
