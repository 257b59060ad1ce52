"""Report codes: `PA-<year>-<number>`, the year as it is in Hanoi when the report arrives, the number at least six
digits (`PA-2026-000123`; a seven-digit number is written whole, `PA-2026-1234567`).

On PostgreSQL each year has its own sequence, `report_code_<year>`, created on first use. `nextval` takes no row
lock and is never rolled back, so concurrent submissions do not queue on a counter (a single counter row, locked
from the bump to the commit, was what serialised them, issue 15) and a number, once taken, is never given again.
The price is gaps: a submission that is refused or rolled back after taking its number, or a retry that loses to
its own first try, leaves that number unused. Codes are unique (the sequence, and the unique index on `code`),
increasing in the order numbers are taken, and not dense.

SQLite writes one transaction at a time anyway, so there a counter row per year (`report_counter`), bumped by an
atomic upsert in the submission's transaction, is just as fast and leaves no gaps except where PostgreSQL would.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import OperationalError

from core.clock import HANOI_TIME
from services.common.sql import Statement, dialect_of

PREFIX = "PA"
UNDEFINED_TABLE = "42P01"
# What a concurrent `CREATE SEQUENCE IF NOT EXISTS` of the same name may raise instead of doing nothing.
CREATED_MEANWHILE = frozenset({"23505", "42P07"})
BUMP = Statement(
    "INSERT INTO report_counter (year, value) VALUES (?, ?) "
    "ON CONFLICT (year) DO UPDATE SET value = report_counter.value + excluded.value RETURNING value"
)


class MissingSequence(Exception):
    """The year has no sequence yet: `prepare` it outside the transaction that needed it, then start that again."""

    def __init__(self, year: int) -> None:
        super().__init__(f"no report code sequence for {year}")
        self.year = year


def year_of(moment: datetime) -> int:
    return moment.astimezone(HANOI_TIME).year


def code(year: int, number: int) -> str:
    return f"{PREFIX}-{year}-{number:06d}"


def sequence_name(year: int) -> str:
    return f"report_code_{int(year)}"


async def take(connection: BaseDBAsyncClient, year: int, count: int = 1) -> list[int]:
    """`count` new numbers of `year`, in increasing order. On PostgreSQL, raises `MissingSequence` (the caller's
    transaction is then aborted) when the year has no sequence yet."""
    if dialect_of(connection) == "sqlite":
        rows = await connection.execute_query_dict(BUMP.sql, [str(year), count])
        last = int(rows[0]["value"])
        return list(range(last - count + 1, last + 1))
    name = sequence_name(year)
    try:
        if count == 1:
            rows = await connection.execute_query_dict("SELECT nextval($1::text::regclass) AS n", [name])
        else:  # one array rather than a row per number: the demo takes a million at once
            rows = await connection.execute_query_dict(
                "SELECT array_agg(nextval($1::text::regclass)) AS n FROM generate_series(1, $2::int)", [name, count]
            )
    except OperationalError as exc:
        if _sqlstate(exc) == UNDEFINED_TABLE:
            raise MissingSequence(year) from exc
        raise
    taken = rows[0]["n"]
    return [int(taken)] if count == 1 else sorted(int(number) for number in taken)


async def prepare(connection: BaseDBAsyncClient, year: int) -> None:
    """Make sure `year` has its sequence (PostgreSQL; nothing to do on SQLite). A new one starts after the highest
    number the year already has, in its reports or in the counter row SQLite-style numbering left, so that a
    database numbered before sequences existed carries on without a clash. Run outside any transaction by a
    submission: several may find the sequence missing at once, and all but one then find it made."""
    if dialect_of(connection) == "sqlite":
        return
    pattern = f"{PREFIX}-{int(year)}-%"
    rows = await connection.execute_query_dict(
        "SELECT GREATEST("
        "(SELECT MAX(CAST(SUBSTRING(code FROM 9) AS BIGINT)) FROM report WHERE code LIKE $1), "
        "(SELECT MAX(value) FROM report_counter WHERE year = $2), 0) AS last",
        [pattern, str(year)],
    )
    start = int(rows[0]["last"]) + 1
    try:
        await connection.execute_script(
            f"CREATE SEQUENCE IF NOT EXISTS {sequence_name(year)} AS bigint MINVALUE 1 START WITH {start}"
        )
    except OperationalError as exc:
        if _sqlstate(exc) not in CREATED_MEANWHILE:
            raise


def _sqlstate(exc: OperationalError) -> str | None:
    """The SQLSTATE of the database error under Tortoise's (asyncpg's errors carry it as `sqlstate`)."""
    return getattr(exc.__cause__, "sqlstate", None)
