"""Administration of categories: the hours each allows until a first decision. Only admins change them; every change
is written with its audit entry, in one transaction."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from auth.principal import Principal
from core.errors import InvalidInput
from models.reference import Category
from services.audit import log as audit
from services.common import policies

SERVICE_LEVEL_HOURS = (1, 24 * 365)


async def set_service_level(principal: Principal, code: str, hours: int) -> Category:
    """Applies to reports submitted from now on; reports already received keep the due time they were given."""
    policies.require_admin(principal)
    low, high = SERVICE_LEVEL_HOURS
    if not low <= hours <= high:
        raise InvalidInput(f"A service level is {low} to {high} hours.", field="hours")
    category = await Category.get_or_none(code=code)
    if category is None:
        raise InvalidInput(f"There is no category {code!r}.", field="code")
    async with in_transaction() as connection:
        before = {"serviceLevelHours": category.service_level_hours}
        category.service_level_hours = hours
        await category.save(using_db=connection, update_fields=["service_level_hours"])
        await audit.record(
            connection, principal, "CATEGORY_SERVICE_LEVEL_SET", "category", code, before, {"serviceLevelHours": hours}
        )
    return category
