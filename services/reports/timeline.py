"""The timeline of a report: every change is recorded as an event with its actor and time, in the transaction that
makes the change, so the timeline can never disagree with the report."""

from __future__ import annotations

import uuid
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from models.enums import ReportEventKind
from models.events import ReportEvent


async def record(
    connection: BaseDBAsyncClient,
    report_id: uuid.UUID,
    kind: ReportEventKind,
    at: datetime,
    actor_id: uuid.UUID | None = None,
    **data: object,
) -> None:
    """`actor_id` None means the system did it (routing, duplicate detection)."""
    await ReportEvent.create(report_id=report_id, kind=kind, actor_id=actor_id, at=at, data=data, using_db=connection)
