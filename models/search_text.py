"""The reports' search column (`Report.search_text`): what it holds, and the migration steps that fill and index it.

It holds the report's code, its plate (canonical, `29a-123.45`, and compact, `29a12345`, so that a search for the
digits alone finds it too), its description and its address, folded (`core.folding`): the staff's search
(`services.reports.search`) looks for folded words in it with LIKE, on both databases. On PostgreSQL a trigram GIN
index (`pg_trgm`) serves those LIKEs; on SQLite they scan the rows the other conditions leave. `Report.save` keeps the
column current on every write of those fields; bulk inserts, which skip `save`, set it with `Report.derive`.
"""

from __future__ import annotations

from typing import Any

from core.folding import fold

TRIGRAM_EXTENSION = "pg_trgm"
CREATE_EXTENSION = f"CREATE EXTENSION IF NOT EXISTS {TRIGRAM_EXTENSION}"
INDEX_NAME = "report_search_trgm"
CREATE_INDEX = f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON report USING gin (search_text gin_trgm_ops)"
# Whether this role may create the extension: a superuser always; otherwise a trusted extension (pg_trgm is, since
# PostgreSQL 13) with the CREATE privilege on the database. Asked first, so that a refusal is explained, not raised
# from the middle of the migration's transaction.
MAY_CREATE = """
SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') AS installed,
    EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') AS available,
    (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
    OR (COALESCE((SELECT bool_or(trusted) FROM pg_available_extension_versions WHERE name = 'pg_trgm'), false)
        AND has_database_privilege(current_database(), 'CREATE')) AS allowed,
    current_database() AS database, current_user AS role
"""


class MissingExtension(Exception):
    """PostgreSQL lacks an extension the schema needs and this role may not create it: an administrator must."""


def searchable_text(code: str, plate_number: str | None, description: str, address: str) -> str:
    """The column's value for a report with these fields; `plate_number` in the canonical form the reports store."""
    plate = f"{plate_number} {plate_number.replace('-', '').replace('.', '')}" if plate_number else ""
    return fold(f"{code} {plate} {description} {address}")


async def index_search_text(apps: object, schema_editor: Any) -> None:
    """The migration's step that indexes the column for LIKE on PostgreSQL, creating `pg_trgm` when this role may;
    when it may not, `MissingExtension` says what an administrator must run. Nothing to do on SQLite."""
    client = schema_editor.client
    if client.capabilities.dialect != "postgres":
        return
    (state,) = await client.execute_query_dict(MAY_CREATE)
    if not state["installed"]:
        if not state["available"]:
            raise MissingExtension(
                f"The report search needs the PostgreSQL extension {TRIGRAM_EXTENSION}, which this server does not "
                "have: install PostgreSQL's contrib modules (the postgresql-contrib package), then run "
                "`phananh migrate` again."
            )
        if not state["allowed"]:
            raise MissingExtension(
                f"The report search needs the PostgreSQL extension {TRIGRAM_EXTENSION}, which role {state['role']!r} "
                f"may not create. An administrator (a superuser, or the database's owner) must run, in database "
                f"{state['database']!r}:\n    {CREATE_EXTENSION};\nthen run `phananh migrate` again."
            )
        await client.execute_script(CREATE_EXTENSION)
    await client.execute_script(CREATE_INDEX)
