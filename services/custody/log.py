"""Writing and reading a report's chain of custody. `append` is the only way an entry is written; nothing updates or
deletes one.

Contract:
- `await append(report_id, kind, *, actor_id, detail, connection=None, at=None) -> CustodyEntry`: adds the next
  entry of the report's chain. Pass `connection` (the transaction of the change being recorded) so the change and
  its entry commit together; without one the append runs in a transaction of its own. `detail` holds JSON values
  only (strings, numbers, booleans, null, lists, objects); `at` defaults to the clock. Safe under concurrency: on
  PostgreSQL appends to one report queue on a transaction-scoped advisory lock (appends to other reports do not
  wait), on SQLite the database's single writer orders them, and the unique (report, seq) pair refuses any fork.
- `await entries(report_id) -> list[CustodyEntry]`: the chain in order.
- `opening(report, originals, *, at)`: the first entries of a new report, not yet written (the submission writes
  them in its own transaction, with its timeline; the demo in bulk; `following` gives the entry after a given one):
  RECEIVED (the content, its hash and each original's SHA-256),
  then CHECKED and DERIVATIVE_MADE for each original as its upload check recorded them (a file is checked before
  any report claims it, so these entries carry the check's own time in `detail.checkedAt`). Their actor is the
  system: the provider's identity stays on the report, never in the chain, so the chain (and a dossier that
  carries it) can travel to the penalty file without it (Decree 61/2026 keeps the provider confidential).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from core import clock
from models.custody import CustodyEntry
from models.enums import CustodyKind
from models.media import Media
from models.reports import Report
from services.custody.chain import (
    GENESIS_HASH,
    canonical_json,
    digest_of,
    format_time,
    plain,
    report_content,
    sha256_hex,
)

# What `receive` reads of each original (the submission loads only these).
ORIGINAL_FIELDS = (
    "id",
    "sha256",
    "size_bytes",
    "content_type",
    "checked_at",
    "derivative_key",
    "derivative_sha256",
)
# The advisory lock namespace of custody appends (PostgreSQL's two-key form: this, and 32 bits of the report id).
LOCK_NAMESPACE = 0x63757374  # "cust"


async def append(
    report_id: uuid.UUID,
    kind: CustodyKind,
    *,
    actor_id: uuid.UUID | None,
    detail: Mapping[str, object],
    connection: BaseDBAsyncClient | None = None,
    at: datetime | None = None,
) -> CustodyEntry:
    scope: AbstractAsyncContextManager[BaseDBAsyncClient] = (
        in_transaction() if connection is None else nullcontext(connection)
    )
    async with scope as db:
        await _lock_chain(db, report_id)
        last = await CustodyEntry.filter(report_id=report_id).using_db(db).order_by("-seq").first()
        at = at or clock.now()
        if last is None:
            entry = _entry(report_id, 1, kind, actor_id, detail, at, GENESIS_HASH)
        else:
            entry = following(last, kind, actor_id=actor_id, detail=detail, at=at)
        await entry.save(using_db=db)
    return entry


async def entries(report_id: uuid.UUID) -> list[CustodyEntry]:
    return await CustodyEntry.filter(report_id=report_id).order_by("seq")


def opening(report: Report, originals: Sequence[Media], *, at: datetime) -> list[CustodyEntry]:
    content = report_content(report, originals)
    received = _entry(
        report.id,
        1,
        CustodyKind.RECEIVED,
        None,
        {"reportCode": report.code, "content": content, "contentHash": sha256_hex(canonical_json(content))},
        at,
        GENESIS_HASH,
    )
    chain = [received]
    for media in sorted(originals, key=lambda media: str(media.id)):
        checked_at = format_time(media.checked_at or at)
        steps: list[tuple[CustodyKind, dict[str, object]]] = [
            (CustodyKind.CHECKED, {"mediaId": str(media.id), "sha256": media.sha256, "checkedAt": checked_at}),
        ]
        if media.derivative_key is not None:
            steps.append(
                (
                    CustodyKind.DERIVATIVE_MADE,
                    {"mediaId": str(media.id), "derivativeSha256": media.derivative_sha256, "madeAt": checked_at},
                )
            )
        for kind, detail in steps:
            chain.append(following(chain[-1], kind, actor_id=None, detail=detail, at=at))
    return chain


def following(
    last: CustodyEntry, kind: CustodyKind, *, actor_id: uuid.UUID | None, detail: Mapping[str, object], at: datetime
) -> CustodyEntry:
    """The entry after `last` in its chain, not yet written."""
    return _entry(last.report_id, last.seq + 1, kind, actor_id, detail, at, last.entry_hash)


def _entry(
    report_id: uuid.UUID,
    seq: int,
    kind: CustodyKind,
    actor_id: uuid.UUID | None,
    detail: Mapping[str, object],
    at: datetime,
    previous_hash: str,
) -> CustodyEntry:
    entry = CustodyEntry(
        report_id=report_id,
        seq=seq,
        kind=kind,
        actor_id=actor_id,
        detail=plain(detail),
        created_at=at,
        previous_hash=previous_hash,
    )
    entry.entry_hash = digest_of(entry)
    return entry


async def _lock_chain(connection: BaseDBAsyncClient, report_id: uuid.UUID) -> None:
    """Held to the end of the transaction, so the next append to this report reads this one's entry."""
    if connection.capabilities.dialect == "postgres":
        key = int.from_bytes(report_id.bytes[-4:], "big", signed=True)
        await connection.execute_query("SELECT pg_advisory_xact_lock($1, $2)", [LOCK_NAMESPACE, key])
