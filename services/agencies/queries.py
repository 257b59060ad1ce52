"""Reads of agencies, as public reference data: the list, one by id, and a batch by ids for the dataloaders (from
the process's reference cache, `services.reference.cache`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from core.ids import parse_uuid
from models.agencies import Agency
from models.enums import AgencyKind
from services.reference.cache import reference_cache


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
    """Agencies in key order, for dataloaders: from the reference cache, which reads the table in one statement when
    it is not at hand."""
    return await reference_cache.agencies_by_ids(ids)
