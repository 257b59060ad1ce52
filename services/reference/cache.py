"""Categories, wards and agencies kept in memory by each process, as they are read on every page of reports.

A console's page names the category, ward and agency of each of its reports; fetching those few hundred rows from
the database for every page cost three statements out of eight. They change only when an administrator changes
them, so each process keeps the rows it has read, by key, and forgets them all when any of them changes:

- a row saved or deleted through the ORM in this process (an administrator's mutation, `phananh seed`, a test's
  factory) empties this process's cache at once (Tortoise's `post_save` and `post_delete` signals), and marks the
  operation under way as a change of reference data (`changes`);
- when that operation has finished, its transaction committed, the cache is emptied again (a page read between the
  save and the commit may have kept the old row) and every other process is told through the event bus
  (`announce`, by the GraphQL extension `schema.reference.invalidation.ReferenceChanges`), whose caches empty too;
- a process whose bus lost its upstream (Redis) empties its cache when it subscribes again, as it may have missed an
  announcement meanwhile.

A table is read whole (one statement, a few hundred rows) the first time one of its rows is asked for after a change.
The announcement rides on the bus's account-change channel under the nil UUID, which no account has
(`REFERENCE_DATA`). What another process changes without the bus (a `phananh seed` run while the server is up, or
SQL by hand) is seen after a restart.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Sequence
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

from tortoise.models import Model
from tortoise.signals import post_delete, post_save

from models.agencies import Agency
from models.reference import Category, Ward
from services.events.base import EventBus

REFERENCE_DATA = uuid.UUID(int=0)
M = TypeVar("M", bound=Model)
K = TypeVar("K", bound=Hashable)


class Changes:
    """Whether the operation under way changed reference data (set by the signals, read when it ends)."""

    def __init__(self) -> None:
        self.changed = False


_changes: ContextVar[Changes | None] = ContextVar("reference_changes", default=None)


class _Table(Generic[K, M]):
    """All the rows of one table by key, once any of them has been asked for: the tables are small (a few hundred
    rows), and a page then never misses again until a change empties them."""

    def __init__(self, model: type[M], key: Callable[[M], K]) -> None:
        self.model = model
        self.key = key
        self.rows: dict[K, M] = {}
        self.complete = False


class ReferenceCache:
    """The reference tables as this process last read them; emptied whole on any change."""

    def __init__(self) -> None:
        self.categories: _Table[str, Category] = _Table(Category, lambda row: row.code)
        self.wards: _Table[str, Ward] = _Table(Ward, lambda row: row.code)
        self.agencies: _Table[uuid.UUID, Agency] = _Table(Agency, lambda row: row.id)
        self._generation = 0

    def category(self, code: str) -> Category | None:
        """The row if the table is at hand, without waiting; None when it must be read first."""
        return self.categories.rows.get(code)

    def ward(self, code: str) -> Ward | None:
        return self.wards.rows.get(code)

    def agency(self, agency_id: uuid.UUID) -> Agency | None:
        return self.agencies.rows.get(agency_id)

    def clear(self) -> None:
        for table in (self.categories, self.wards, self.agencies):
            table.rows = {}
            table.complete = False
        self._generation += 1

    async def categories_by_codes(self, codes: Sequence[str]) -> list[Category | None]:
        return await self._by_keys(self.categories, codes)

    async def wards_by_codes(self, codes: Sequence[str]) -> list[Ward | None]:
        return await self._by_keys(self.wards, codes)

    async def agencies_by_ids(self, ids: Sequence[uuid.UUID]) -> list[Agency | None]:
        return await self._by_keys(self.agencies, ids)

    async def _by_keys(self, table: _Table[K, M], keys: Sequence[K]) -> list[M | None]:
        """In key order, None for a key no row has; the table is read in one statement when it is not at hand.
        Rows read while a change emptied the cache are answered but not kept: they may be older than the change."""
        if table.complete:
            return [table.rows.get(key) for key in keys]
        generation = self._generation
        rows = {table.key(row): row for row in await table.model.all()}
        if generation == self._generation:
            table.rows, table.complete = rows, True
        return [rows.get(key) for key in keys]


reference_cache = ReferenceCache()


def follow(bus: EventBus) -> Callable[[], None]:
    """Empty the cache now, and whenever another process announces a change (or the bus may have missed one);
    returns the function that stops following."""
    reference_cache.clear()
    return bus.watch_account(REFERENCE_DATA, reference_cache.clear)


def watching_changes() -> Changes:
    """Start recording whether the current operation changes reference data."""
    changes = Changes()
    _changes.set(changes)
    return changes


async def announce(bus: EventBus) -> None:
    """After a change has committed: empty this process's cache again, and every other process's."""
    reference_cache.clear()
    await bus.announce_account_change(REFERENCE_DATA)


async def _changed(*_: Any, **__: Any) -> None:
    reference_cache.clear()
    changes = _changes.get()
    if changes is not None:
        changes.changed = True


for _model in (Category, Ward, Agency):
    post_save(_model)(_changed)
    post_delete(_model)(_changed)
