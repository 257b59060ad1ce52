"""The authenticated caller as the rest of the code sees it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from models.enums import Role


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID
    role: Role
    agency_id: uuid.UUID | None = None
