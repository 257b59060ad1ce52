"""Relay-style pagination shared by every connection: the arguments, `pageInfo`, and `totalCount` run on demand.

Every connection takes `first`/`after` (forwards) and `last`/`before` (backwards) and lists its page newest first,
which is what the Relay specification describes and Apollo Client's `relayStylePagination` reads. The statements
behind `totalCount`, `hasPreviousPage` (forwards) and `hasNextPage` (backwards) run only when a client selects them.
"""

from __future__ import annotations

from typing import Any

import strawberry

from schema.base import bounds
from services.common.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page

FIRST = strawberry.argument(description=f"Page size: default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE}.")
AFTER = bounds.argument("The `endCursor` of the previous page.", bounds.CURSOR)
LAST = strawberry.argument(description=f"Page size backwards, instead of `first`: at most {MAX_PAGE_SIZE}.")
BEFORE = bounds.argument("The `startCursor` of the next page, to page backwards.", bounds.CURSOR)


@strawberry.type(name="PageInfo", description="Where a page starts and ends, and whether more lies either side.")
class PageInfoType:
    start_cursor: str | None = strawberry.field(description="Cursor of the first edge; pass it as `before`.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last edge; pass it as `after`.")
    page: strawberry.Private[Page[Any]]

    @strawberry.field(description="Whether `after: endCursor` would return more.")
    async def has_next_page(self) -> bool:
        return await self.page.has_next_page()

    @strawberry.field(description="Whether `before: startCursor` would return more.")
    async def has_previous_page(self) -> bool:
        return await self.page.has_previous_page()

    @classmethod
    def from_page(cls, page: Page[Any]) -> PageInfoType:
        return cls(start_cursor=page.start_cursor, end_cursor=page.end_cursor, page=page)
