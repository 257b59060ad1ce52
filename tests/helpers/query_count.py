"""Counting the SQL a block of code runs, from the statements Tortoise logs at DEBUG on `tortoise.db_client`."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

LOGGER = logging.getLogger("tortoise.db_client")
STATEMENTS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


class QueryLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().lstrip()
        if message.upper().startswith(STATEMENTS):
            self.statements.append(message)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries() -> Iterator[QueryLog]:
    """Yields a log whose `count` is the number of statements run inside the block (connection chatter excluded)."""
    log = QueryLog()
    previous = LOGGER.level
    LOGGER.addHandler(log)
    LOGGER.setLevel(logging.DEBUG)
    try:
        yield log
    finally:
        LOGGER.removeHandler(log)
        LOGGER.setLevel(previous)
