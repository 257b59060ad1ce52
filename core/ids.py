"""Public ids as clients send them: a malformed one is simply no id, never an exception from deep inside a query."""

from __future__ import annotations

import uuid


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return None
