"""The notifications of reports as their staff read them: what the citizen was told, through which OA, and why an
answer was not sent. The caller's right to see them is checked before the keys are loaded (`schema.reports`)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from models.notifications import Notification


async def by_reports(report_ids: Sequence[uuid.UUID]) -> list[list[Notification]]:
    """Oldest first, per report, in key order: one query for a whole page of reports."""
    rows = await Notification.filter(report_id__in=list(set(report_ids))).order_by("created_at", "id")
    grouped: dict[uuid.UUID, list[Notification]] = defaultdict(list)
    for row in rows:
        grouped[row.report_id].append(row)
    return [grouped.get(key, []) for key in report_ids]
