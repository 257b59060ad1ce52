"""Raw SQL that runs on both databases: which one a connection speaks, and statements written once for both.

Statements are written with `?` placeholders and numbered (`$1`, `$2`...) for PostgreSQL when they run.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Literal

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

Dialect = Literal["sqlite", "postgres"]


def dialect_of(connection: BaseDBAsyncClient) -> Dialect:
    return "sqlite" if connection.capabilities.dialect == "sqlite" else "postgres"


def date_value(dialect: Dialect, day: date) -> object:
    """A date as a parameter: SQLite keeps dates as ISO text."""
    return day.isoformat() if dialect == "sqlite" else day


@dataclass(frozen=True)
class Statement:
    """SQL written with `?` placeholders, and its parameters in order."""

    sql: str
    params: tuple[object, ...] = ()

    def numbered(self, dialect: Dialect) -> Statement:
        """PostgreSQL numbers its placeholders. No statement here has a `?` inside a literal."""
        if dialect == "sqlite":
            return self
        pieces = self.sql.split("?")
        text = pieces[0] + "".join(f"${number}{piece}" for number, piece in enumerate(pieces[1:], start=1))
        return Statement(text, self.params)

    def bound(self, dialect: Dialect) -> Statement:
        """Numbered, and with uuids as text on SQLite, which keeps them so (PostgreSQL takes them as they are)."""
        if dialect == "postgres":
            return self.numbered(dialect)
        return Statement(self.sql, tuple(str(p) if isinstance(p, uuid.UUID) else p for p in self.params))


def insert_rows(rows: Sequence[Model]) -> Statement:
    """One INSERT of several new rows of one model, with their values as the ORM stores them (defaults, `auto_now`,
    JSON, uuids as text on SQLite): what `bulk_create` sends row by row, in one statement that can join others
    (a PostgreSQL `WITH`). Generated keys are not read back."""
    model = type(rows[0])
    names, columns = _insert_columns(model)
    fields = model._meta.fields_map
    values = [fields[name].to_db_value(getattr(row, name), row) for row in rows for name in names]
    placeholders = ", ".join(["(" + ", ".join("?" * len(names)) + ")"] * len(rows))
    # Only the model's own table and column names are put into the text.
    return Statement(f'INSERT INTO "{model._meta.db_table}" ({columns}) VALUES {placeholders}', tuple(values))  # noqa: S608


@cache
def _insert_columns(model: type[Model]) -> tuple[tuple[str, ...], str]:
    """The fields an insert writes (all but a generated key) and their columns, quoted for both databases."""
    meta = model._meta
    names = tuple(name for name in meta.fields_db_projection if not (name == meta.pk_attr and meta.pk.generated))
    return names, ", ".join(f'"{meta.fields_db_projection[name]}"' for name in names)
