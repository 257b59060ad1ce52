"""The authenticated caller as the rest of the code sees it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from models.enums import Role
from models.users import User


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID
    role: Role
    agency_id: uuid.UUID | None = None

    @classmethod
    def of(cls, user: User) -> Principal:
        """The user as they are now: their role and agency from the row, not from any token."""
        return cls(user_id=user.id, role=user.role, agency_id=user.agency_id)
