"""Relay-style pagination shared by every list: opaque cursors, `pageInfo`, `totalCount`."""

from __future__ import annotations

import strawberry


@strawberry.type(name="PageInfo", description="Where a page ends and whether another follows.")
class PageInfoType:
    has_next_page: bool = strawberry.field(description="Whether `after: endCursor` would return more.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last edge; pass it as `after`.")
