"""Retry-safe submission: a client's key, bound to the report it produced, once per user.

Correctness rests on the unique (user, key) pair, never on looking first: the binding row is inserted in the same
transaction as the report, so of any number of concurrent identical requests exactly one commits and the others fail
on the constraint, roll back everything they wrote, and answer with the winner's report.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping

from tortoise.backends.base.client import BaseDBAsyncClient

from core.errors import Conflict, InvalidInput
from models.reports import IdempotencyKey

KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")


def check_key(raw: str) -> str:
    """Keys are client-made (a UUID is ideal); short or exotic ones are refused so they cannot collide by accident."""
    key = raw.strip()
    if not KEY_PATTERN.match(key):
        raise InvalidInput(
            "The idempotency key must be 8-100 characters: letters, digits, dot, dash, underscore, colon.",
            field="idempotencyKey",
        )
    return key


def fingerprint(payload: Mapping[str, object]) -> str:
    """A stable hash of the normalised request, so that `29A12345` and `29A-123.45` count as the same payload."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def find_replay(user_id: uuid.UUID, key: str, request_hash: str) -> uuid.UUID | None:
    """The report an earlier request with this key produced, None if there was none; a different payload is a
    CONFLICT, because answering it with the old report would silently drop what the client meant to send."""
    bound = await IdempotencyKey.get_or_none(user_id=user_id, key=key)
    if bound is None:
        return None
    if bound.request_hash != request_hash:
        raise Conflict(
            "This idempotency key was already used for a different report; use a new key for a new report.",
            field="idempotencyKey",
        )
    return bound.report_id


async def bind(
    connection: BaseDBAsyncClient, user_id: uuid.UUID, key: str, request_hash: str, report_id: uuid.UUID
) -> None:
    """Insert the binding; raises `IntegrityError` when another request with the key committed first."""
    await IdempotencyKey.create(
        user_id=user_id, key=key, request_hash=request_hash, report_id=report_id, using_db=connection
    )
