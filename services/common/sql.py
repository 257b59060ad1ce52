"""Raw SQL that runs on both databases: which one a connection speaks, and statements written once for both.

Statements are written with `?` placeholders and numbered (`$1`, `$2`...) for PostgreSQL when they run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from tortoise.backends.base.client import BaseDBAsyncClient

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
