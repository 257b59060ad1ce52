"""Keyset pagination, newest first, shared by every Relay connection: opaque cursors over (a time, the id).

Keyset rather than offset so that a page boundary does not move when rows arrive meanwhile; the id breaks ties
between rows of the same instant, so a walk visits every row exactly once, forwards (`first`/`after`) or backwards
(`last`/`before`). A page always lists its rows newest first, whichever way it was asked for, as the Relay
specification wants and Apollo's `relayStylePagination` expects.

What a page fetches is its rows and nothing else: the total (`totalCount`) and whether there is more on the side the
walk came from (`hasPreviousPage` forwards, `hasNextPage` backwards) each cost a statement, so a `Page` runs them
only when asked, which the schema does only when a client selects them.
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
Position = tuple[datetime, uuid.UUID]


def encode_cursor(at: datetime, row_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{at.astimezone(UTC).isoformat()}|{row_id}".encode()).decode()


def decode_cursor(cursor: str, field: str = "after") -> Position:
    try:
        at, row_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        parsed_at = datetime.fromisoformat(at)
    except (ValueError, binascii.Error, UnicodeError):
        raise InvalidInput("This cursor is not one we gave out.", field=field) from None
    parsed_id = parse_uuid(row_id)
    if parsed_id is None or parsed_at.tzinfo is None:
        raise InvalidInput("This cursor is not one we gave out.", field=field)
    return parsed_at, parsed_id


def page_size(first: int | None, field: str = "first") -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidInput(f"`{field}` must be between 1 and {MAX_PAGE_SIZE}.", field=field)
    return first


@dataclass(frozen=True)
class PageRequest:
    """What a client asked of a connection: `first` rows after a cursor, or `last` rows before one (both cursors
    together bound a window). `first` and `last` together are refused: the Relay specification discourages them and
    no client sends them."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    @property
    def backward(self) -> bool:
        return self.last is not None

    def size(self) -> int:
        if self.first is not None and self.last is not None:
            raise InvalidInput("Give `first` or `last`, not both.", field="last")
        return page_size(self.last, "last") if self.backward else page_size(self.first)

    def positions(self) -> tuple[Position | None, Position | None]:
        """The `after` and `before` positions; an empty cursor means none, as it always has for `after`."""
        return (
            decode_cursor(self.after, "after") if self.after else None,
            decode_cursor(self.before, "before") if self.before else None,
        )


def _older(time_field: str, position: Position) -> Q:
    at, row_id = position
    return Q(**{f"{time_field}__lt": at}) | Q(**{time_field: at, "id__lt": row_id})  # type: ignore[arg-type]


def _newer(time_field: str, position: Position) -> Q:
    at, row_id = position
    return Q(**{f"{time_field}__gt": at}) | Q(**{time_field: at, "id__gt": row_id})  # type: ignore[arg-type]


@dataclass(frozen=True)
class Page(Generic[M]):
    """One page, newest first. `more` says whether a row beyond the page's far end (in the direction of the walk)
    exists; the other side and the total are asked of the database on demand."""

    rows: list[M]
    time_field: str
    query: QuerySet[M]
    backward: bool
    more: bool
    after: Position | None = None
    before: Position | None = None

    def cursor(self, row: M) -> str:
        return encode_cursor(getattr(row, self.time_field), row.pk)

    @property
    def edges(self) -> list[tuple[str, M]]:
        return [(self.cursor(row), row) for row in self.rows]

    @property
    def start_cursor(self) -> str | None:
        return self.cursor(self.rows[0]) if self.rows else None

    @property
    def end_cursor(self) -> str | None:
        return self.cursor(self.rows[-1]) if self.rows else None

    async def total_count(self) -> int:
        """Every row of the list, over all pages: one COUNT, run only for a client that asks."""
        return await self.query.count()

    async def has_next_page(self) -> bool:
        """Forwards: whether `after: endCursor` would give more (known from the fetch). Backwards: whether anything
        lies at or beyond `before`, the rows a forward walk from this page would reach (one existence check)."""
        if not self.backward:
            return self.more
        return self.before is not None and await self.query.filter(~_newer(self.time_field, self.before)).exists()

    async def has_previous_page(self) -> bool:
        """Backwards: whether `before: startCursor` would give more (known from the fetch). Forwards: whether
        anything lies at or before `after` (one existence check)."""
        if self.backward:
            return self.more
        return self.after is not None and await self.query.filter(~_older(self.time_field, self.after)).exists()


async def keyset_page(
    query: QuerySet[M],
    time_field: str,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Page[M]:
    """One page of `query`, newest `time_field` first, between the rows the cursors name: one statement."""
    request = PageRequest(first=first, after=after, last=last, before=before)
    size = request.size()
    after_position, before_position = request.positions()
    window = query
    if after_position is not None:
        window = window.filter(_older(time_field, after_position))
    if before_position is not None:
        window = window.filter(_newer(time_field, before_position))
    if request.backward:
        fetched = await window.order_by(time_field, "id").limit(size + 1)
        rows = list(reversed(fetched[:size]))
    else:
        fetched = await window.order_by(f"-{time_field}", "-id").limit(size + 1)
        rows = fetched[:size]
    return Page(
        rows=rows,
        time_field=time_field,
        query=query,
        backward=request.backward,
        more=len(fetched) > size,
        after=after_position,
        before=before_position,
    )
