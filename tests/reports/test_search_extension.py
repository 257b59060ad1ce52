"""`phananh migrate` on a PostgreSQL where the role may create tables but not the trigram extension the search index
needs: it fails before applying anything, saying which extension and what an administrator must run; once that is
done, the same command succeeds as the same role."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg
import pytest

from models.search_text import CREATE_EXTENSION, INDEX_NAME
from tests.helpers.databases import scratch_postgres
from tests.helpers.environment import require_service
from tests.helpers.servers import run, server_env


async def test_migrate_names_the_extension_an_administrator_must_create(
    db_kind: str, pytestconfig: pytest.Config, tmp_path: Path
) -> None:
    if db_kind != "postgres":
        pytest.skip("SQLite needs no extension")
    server_url = str(pytestconfig.getoption("--pg-url"))
    role = f"phananh_limited_{uuid.uuid4().hex[:10]}"
    try:
        async with scratch_postgres(server_url, "phananh_ext") as database_url:
            name = database_url.rsplit("/", 1)[1]
            as_admin = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
            try:
                await as_admin.execute(f'CREATE ROLE "{role}" LOGIN')
                await as_admin.execute(f'GRANT CREATE ON SCHEMA public TO "{role}"')
                limited_url = database_url.replace("postgres@", f"{role}@", 1)
                env = server_env({"DATABASE_URL": limited_url, "VAR_DIR": str(tmp_path / "var")})

                refused = run(["phananh", "migrate"], env)
                assert refused.returncode == 1, refused.stderr
                assert "Traceback" not in refused.stderr, refused.stderr
                assert "extension pg_trgm" in refused.stderr, refused.stderr
                assert f"role '{role}'" in refused.stderr, refused.stderr
                assert f"in database '{name}':\n    {CREATE_EXTENSION};\n" in refused.stderr, refused.stderr
                assert await as_admin.fetchval("SELECT to_regclass('report')") is None  # nothing half-applied

                await as_admin.execute(CREATE_EXTENSION)
                done = run(["phananh", "migrate"], env)
                assert done.returncode == 0, done.stderr
                assert await as_admin.fetchval("SELECT to_regclass($1)::text", INDEX_NAME) == INDEX_NAME
            finally:
                await as_admin.close()
    except (OSError, asyncpg.PostgresError) as exc:
        require_service("PostgreSQL", exc)
    finally:
        await drop_role(server_url, role)


async def drop_role(server_url: str, role: str) -> None:
    connection = await asyncpg.connect(server_url.replace("postgres://", "postgresql://", 1))
    try:
        await connection.execute(f'DROP ROLE IF EXISTS "{role}"')
    finally:
        await connection.close()
