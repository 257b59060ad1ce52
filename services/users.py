"""Accounts: creating staff and administrators, and the rules that keep them consistent."""

from __future__ import annotations

import re
import uuid

from tortoise.exceptions import IntegrityError

from auth.passwords import MIN_PASSWORD_LENGTH, hash_password
from models.agencies import Agency
from models.enums import Role
from models.users import User
from services.errors import Conflict, InvalidInput

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")
AGENCY_ROLES = (Role.OFFICER, Role.AGENCY_ADMIN)


async def create_staff_user(
    *, username: str, password: str, role: Role, agency_code: str | None, full_name: str = ""
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
    if role in AGENCY_ROLES:
        if not agency_code:
            raise InvalidInput(f"A {role.value} belongs to an agency.", field="agency")
        agency = await Agency.get_or_none(code=agency_code, active=True)
        if agency is None:
            raise InvalidInput(f"No active agency has the code {agency_code!r}.", field="agency")
    elif agency_code:
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


async def get_user(user_id: uuid.UUID) -> User | None:
    return await User.get_or_none(id=user_id)
