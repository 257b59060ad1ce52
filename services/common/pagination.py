"""Keyset pagination, newest first, shared by every Relay connection: opaque cursors over (a time, the id).

Keyset rather than offset so that a page boundary does not move when rows arrive meanwhile; the id breaks ties
between rows of the same instant, so a walk visits every row exactly once.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from core.errors import InvalidInput
from core.ids import parse_uuid

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

M = TypeVar("M", bound=Model)


def encode_cursor(at: datetime, row_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{at.astimezone(UTC).isoformat()}|{row_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        at, row_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        parsed_at = datetime.fromisoformat(at)
    except (ValueError, binascii.Error, UnicodeError):
        raise InvalidInput("This cursor is not one we gave out.", field="after") from None
    parsed_id = parse_uuid(row_id)
    if parsed_id is None or parsed_at.tzinfo is None:
        raise InvalidInput("This cursor is not one we gave out.", field="after")
    return parsed_at, parsed_id


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidInput(f"`first` must be between 1 and {MAX_PAGE_SIZE}.", field="first")
    return first


@dataclass(frozen=True)
class Page(Generic[M]):
    rows: list[M]
    has_next_page: bool
    total_count: int
    time_field: str

    def cursor(self, row: M) -> str:
        return encode_cursor(getattr(row, self.time_field), row.pk)

    @property
    def edges(self) -> list[tuple[str, M]]:
        return [(self.cursor(row), row) for row in self.rows]

    @property
    def end_cursor(self) -> str | None:
        return self.cursor(self.rows[-1]) if self.rows else None


async def keyset_page(query: QuerySet[M], time_field: str, first: int | None, after: str | None) -> Page[M]:
    """One page of `query`, newest `time_field` first, after the row the cursor names."""
    size = page_size(first)
    position = decode_cursor(after) if after else None
    total = await query.count()
    if position is not None:
        at, row_id = position
        before: dict[str, object] = {f"{time_field}__lt": at}
        same_instant: dict[str, object] = {time_field: at, "id__lt": row_id}
        query = query.filter(Q(**before) | Q(**same_instant))  # type: ignore[arg-type]
    rows = await query.order_by(f"-{time_field}", "-id").limit(size + 1)
    return Page(rows=rows[:size], has_next_page=len(rows) > size, total_count=total, time_field=time_field)
