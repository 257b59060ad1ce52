"""Reads of the reference data: wards and categories."""

from __future__ import annotations

from models.enums import CategoryKind
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
