"""Administration of agencies: creating, updating and deactivating them, and what they cover.

Only admins change them. Every change is validated in full before anything is written, applied in one transaction
together with its audit entry, and refused as a whole when any part is wrong. An update changes only what the input
gives (`KEEP` elsewhere), so a console never clears wards or categories by forgetting to send them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from auth.principal import Principal
from core.errors import Conflict, InvalidInput, NotFound
from core.ids import parse_uuid
from models.agencies import Agency
from models.enums import AgencyKind
from models.reference import Category, Ward
from models.routing import RoutingRule
from services.audit import log as audit
from services.common import policies

CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{1,39}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TEXT_LIMITS = {"name": 200, "phone": 40, "email": 200, "address": 300}


class Keep(Enum):
    """An input field the caller did not send: unchanged on update, the default on create."""

    KEEP = "KEEP"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class AgencyDraft:
    code: str | Keep = KEEP
    name: str | Keep = KEEP
    kind: AgencyKind | Keep = KEEP
    parent_id: str | Keep | None = KEEP
    ward_codes: tuple[str, ...] | Keep = KEEP
    category_codes: tuple[str, ...] | Keep = KEEP
    active: bool | Keep = KEEP
    phone: str | Keep = KEEP
    email: str | Keep = KEEP
    address: str | Keep = KEEP
    # Its own Zalo OA, as stored (`auth.providers.zalo.ZaloApps.stored`); None for none.
    zalo_oa: str | Keep | None = KEEP


async def snapshot(agency: Agency, connection: BaseDBAsyncClient) -> dict[str, Any]:
    """The agency as the audit log keeps it, wards and categories included."""
    wards = await agency.wards.all().using_db(connection).values_list("code", flat=True)
    categories = await agency.categories.all().using_db(connection).values_list("code", flat=True)
    return {
        "code": agency.code,
        "name": agency.name,
        "kind": agency.kind.value,
        "parentId": str(agency.parent_id) if agency.parent_id else None,
        "wardCodes": sorted(str(code) for code in wards),
        "categoryCodes": sorted(str(code) for code in categories),
        "active": agency.active,
        "phone": agency.phone,
        "email": agency.email,
        "address": agency.address,
        "zaloOa": agency.zalo_oa,
    }


async def create_agency(principal: Principal, draft: AgencyDraft) -> Agency:
    policies.require_admin(principal)
    for name in ("code", "name", "kind"):
        if getattr(draft, name) is KEEP:
            raise InvalidInput(f"A new agency needs its {name}.", field=f"input.{name}")
    values = _scalar_values(draft)
    parent = await _parent(draft.parent_id, None) if draft.parent_id is not KEEP else None
    wards = await _wards(draft.ward_codes) if draft.ward_codes is not KEEP else []
    categories = await _categories(draft.category_codes) if draft.category_codes is not KEEP else []
    async with in_transaction() as connection:
        try:
            agency = await Agency.create(**values, parent=parent, using_db=connection)
        except IntegrityError:
            raise Conflict("Another agency has this code.", field="input.code") from None
        if wards:
            await agency.wards.add(*wards, using_db=connection)
        if categories:
            await agency.categories.add(*categories, using_db=connection)
        after = await snapshot(agency, connection)
        await audit.record(connection, principal, "AGENCY_CREATED", "agency", str(agency.id), None, after)
    return agency


async def update_agency(principal: Principal, agency_id: str, draft: AgencyDraft) -> Agency:
    """Deactivating an agency that routing rules still name is a CONFLICT: move or delete those rules first, so that
    no ward silently falls back to another agency. Its open reports stay with it until transferred."""
    policies.require_admin(principal)
    parsed = parse_uuid(agency_id)
    if parsed is None or not await Agency.exists(id=parsed):
        raise NotFound("There is no such agency.", field="id")
    values = _scalar_values(draft)
    parent = await _parent(draft.parent_id, parsed) if draft.parent_id is not KEEP else KEEP
    wards = await _wards(draft.ward_codes) if draft.ward_codes is not KEEP else None
    categories = await _categories(draft.category_codes) if draft.category_codes is not KEEP else None
    async with in_transaction() as connection:
        agency = await Agency.filter(id=parsed).select_for_update().using_db(connection).get()
        before = await snapshot(agency, connection)
        rules = RoutingRule.filter(agency_id=parsed).using_db(connection)
        if values.get("active") is False and agency.active and await rules.exists():
            raise Conflict("Routing rules still send reports to this agency: move them first.", field="input.active")
        if (
            wards is not None
            and await rules.filter(ward_id__not_in=[w.code for w in wards], ward_id__isnull=False).exists()
        ):
            raise Conflict("A routing rule of this agency uses a ward you are removing.", field="input.wardCodes")
        if (
            categories is not None
            and await rules.filter(category_id__not_in=[c.code for c in categories], category_id__isnull=False).exists()
        ):
            raise Conflict(
                "A routing rule of this agency uses a category you are removing.", field="input.categoryCodes"
            )
        agency.update_from_dict({**values, **({} if parent is KEEP else {"parent": parent})})
        try:
            await agency.save(using_db=connection)
        except IntegrityError:
            raise Conflict("Another agency has this code.", field="input.code") from None
        if wards is not None:
            await agency.wards.clear(using_db=connection)
            if wards:
                await agency.wards.add(*wards, using_db=connection)
        if categories is not None:
            await agency.categories.clear(using_db=connection)
            if categories:
                await agency.categories.add(*categories, using_db=connection)
        after = await snapshot(agency, connection)
        await audit.record(connection, principal, "AGENCY_UPDATED", "agency", str(agency.id), before, after)
    return agency


def _scalar_values(draft: AgencyDraft) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if draft.code is not KEEP:
        code = draft.code.strip().upper()
        if not CODE.match(code):
            raise InvalidInput("A code is 2-40 of A-Z 0-9 . _ -, starting with a letter or digit.", field="input.code")
        values["code"] = code
    for name, limit in TEXT_LIMITS.items():
        given = getattr(draft, name)
        if given is KEEP:
            continue
        text = given.strip()
        if len(text) > limit or (name == "name" and not text):
            raise InvalidInput(f"{name} must be 1-{limit} characters.", field=f"input.{name}")
        if name == "email" and text and not EMAIL.match(text):
            raise InvalidInput("This is not an email address.", field="input.email")
        values[name] = text
    if draft.kind is not KEEP:
        values["kind"] = draft.kind
    if draft.active is not KEEP:
        values["active"] = draft.active
    if draft.zalo_oa is not KEEP:
        values["zalo_oa"] = draft.zalo_oa
    return values


async def _parent(parent_id: str | None, agency_id: Any) -> Agency | None:
    """An active agency, and not the agency itself or one of its descendants (that would make a cycle)."""
    if parent_id is None:
        return None
    parsed = parse_uuid(parent_id)
    parent = None if parsed is None else await Agency.get_or_none(id=parsed, active=True)
    if parent is None:
        raise InvalidInput("There is no active agency with this id.", field="input.parentId")
    ancestor: Any = parent.id
    seen: set[Any] = set()
    while ancestor is not None and ancestor not in seen:
        if ancestor == agency_id:
            raise InvalidInput("An agency cannot be placed under itself or its own sub-agency.", field="input.parentId")
        seen.add(ancestor)
        above = await Agency.get_or_none(id=ancestor)
        ancestor = None if above is None else above.parent_id
    return parent


async def _wards(codes: tuple[str, ...]) -> list[Ward]:
    wanted = sorted(set(codes))
    found = await Ward.filter(code__in=wanted)
    missing = sorted(set(wanted) - {ward.code for ward in found})
    if missing:
        raise InvalidInput(f"Unknown ward codes: {', '.join(missing)}.", field="input.wardCodes")
    return found


async def _categories(codes: tuple[str, ...]) -> list[Category]:
    wanted = sorted(set(codes))
    found = await Category.filter(code__in=wanted, active=True)
    missing = sorted(set(wanted) - {category.code for category in found})
    if missing:
        raise InvalidInput(f"Unknown or inactive category codes: {', '.join(missing)}.", field="input.categoryCodes")
    return found
