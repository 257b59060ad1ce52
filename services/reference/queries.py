"""Reads of the reference data: wards, categories and agencies."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from core.ids import parse_uuid
from models.agencies import Agency
from models.enums import AgencyKind, CategoryKind
from models.reference import Category, Ward


async def list_wards() -> list[Ward]:
    return await Ward.all()


async def list_categories(kind: CategoryKind | None = None, include_inactive: bool = False) -> list[Category]:
    query = Category.all()
    if kind is not None:
        query = query.filter(kind=kind)
    if not include_inactive:
        query = query.filter(active=True)
    return await query


async def list_agencies(kind: AgencyKind | None = None, include_inactive: bool = False) -> list[Agency]:
    query = Agency.all()
    if kind is not None:
        query = query.filter(kind=kind)
    if not include_inactive:
        query = query.filter(active=True)
    return await query


async def get_agency(agency_id: str) -> Agency | None:
    """An agency by its public id; a malformed id is simply not found, like any other unknown one."""
    parsed = parse_uuid(agency_id)
    return None if parsed is None else await Agency.get_or_none(id=parsed)


async def agencies_by_ids(ids: Sequence[uuid.UUID]) -> list[Agency | None]:
    """Agencies in key order, for dataloaders: one query whatever the number of keys."""
    found = {agency.id: agency for agency in await Agency.filter(id__in=list(set(ids)))}
    return [found.get(key) for key in ids]
