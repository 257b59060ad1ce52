"""Accounts: creating staff and administrators, and the rules of who may manage whom.

An ADMIN manages every staff account; an AGENCY_ADMIN manages the officers of their own agency and nothing else (not
other agencies, not promotions). Checks live here so that the CLI, GraphQL and tests all pass through them.
"""

from __future__ import annotations

import re
import uuid

from tortoise.exceptions import IntegrityError

from auth.passwords import MIN_PASSWORD_LENGTH, hash_password
from auth.principal import Principal
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.ids import parse_uuid
from models.agencies import Agency
from models.enums import Role
from models.users import User
from services.accounts.sessions import revoke_user_sessions
from services.accounts.signin import unlock
from services.common import policies
from services.events import EventBus

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")
MAX_STAFF_LISTED = 500


async def create_staff_user(
    *,
    username: str,
    password: str,
    role: Role,
    agency_code: str | None = None,
    agency_id: uuid.UUID | None = None,
    full_name: str = "",
) -> User:
    """Create a password account. Officers and agency admins belong to exactly one active agency; admins to none.

    Citizens never get passwords: they sign in through Zalo or a phone code.
    """
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise InvalidInput(
            "Username must be 3-80 characters: lowercase letters, digits, dot, dash, underscore.", field="username"
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"Password must be at least {MIN_PASSWORD_LENGTH} characters.", field="password")
    if role is Role.CITIZEN:
        raise InvalidInput("Citizens sign in with Zalo or a phone code, not a password.", field="role")
    agency: Agency | None = None
    if role in policies.AGENCY_STAFF:
        if not agency_code and agency_id is None:
            raise InvalidInput(f"A {role.value} belongs to an agency.", field="agency")
        lookup = {"code": agency_code} if agency_code else {"id": agency_id}
        agency = await Agency.get_or_none(active=True, **lookup)
        if agency is None:
            raise InvalidInput(f"No active agency matches {agency_code or agency_id}.", field="agency")
    elif agency_code or agency_id:
        raise InvalidInput("An ADMIN belongs to no agency.", field="agency")
    try:
        return await User.create(
            username=username,
            password_hash=hash_password(password),
            role=role,
            agency=agency,
            full_name=full_name,
        )
    except IntegrityError:
        raise Conflict("That username is taken.", field="username") from None


def _agency_id(raw: str | None) -> uuid.UUID | None:
    if raw is None or raw == "":
        return None
    parsed = parse_uuid(raw)
    if parsed is None:
        raise InvalidInput("Not an agency id.", field="agencyId")
    return parsed


async def create_staff_user_as(
    actor: Principal, *, username: str, password: str, role: Role, agency_id: str | None, full_name: str = ""
) -> User:
    parsed = _agency_id(agency_id)
    policies.require_staff_manager(actor, parsed, role)
    return await create_staff_user(
        username=username, password=password, role=role, agency_id=parsed, full_name=full_name
    )


async def set_user_active(actor: Principal, user_id: str, active: bool, events: EventBus) -> User:
    """Deactivation takes effect at once: access tokens are re-checked per request, sessions are revoked, and the
    change is announced on the event bus, so that the account's open websockets close on every worker.
    Reactivation also unlocks: the account's failed passwords are forgotten."""
    parsed = parse_uuid(user_id)
    target = None if parsed is None else await User.get_or_none(id=parsed)
    if target is None:
        raise NotFound("No such user.", field="userId")
    if target.id == actor.user_id:
        raise Forbidden("You cannot change your own account's status.")
    policies.require_staff_manager(actor, target.agency_id, target.role)
    target.is_active = active
    await target.save(update_fields=["is_active", "updated_at"])
    if active and target.username:
        await unlock(target.username)
    if not active:
        await revoke_user_sessions(target.id)
        await events.announce_account_change(target.id)
    return target


async def list_staff(actor: Principal, agency_id: str) -> list[User]:
    """An agency's officers and admins by username (an agency has tens of staff, so one bounded page)."""
    parsed = _agency_id(agency_id)
    policies.require_staff_manager(actor, parsed)
    if parsed is None or not await Agency.exists(id=parsed):
        raise NotFound("No such agency.", field="agencyId")
    return await User.filter(agency_id=parsed).order_by("username").limit(MAX_STAFF_LISTED)


async def get_user(user_id: uuid.UUID) -> User | None:
    return await User.get_or_none(id=user_id)
