"""What the handling agency reads of a recorded report's provider, and how the provider will hear the answer.

The provider's name and phone are as confidential as any reporter's contact (`services.reports.scope.
may_see_reporter`): the staff of the agency handling the report, and admins, read them; nobody else, whatever the
path (a report read by id, a list, a node, a live event), since every path reaches them through `providers_by_keys`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tortoise import connections

from auth.principal import Principal
from models.intake import ReportProvider
from models.reports import Report
from services.notifications.queue import app_users
from services.reports.batches import ScopedKey
from services.reports.scope import may_see_reporter, visible_q


class ProviderAnswer(StrEnum):
    SMS = "SMS"
    APP = "APP"
    NONE = "NONE"


ANSWER_REASONS = {
    ProviderAnswer.SMS: "The provider has a phone and no app account: answers are sent to it by SMS.",
    ProviderAnswer.APP: "The provider reads answers in the app (Zalo, or the city app signed in with this phone).",
    ProviderAnswer.NONE: "No phone was given: answers cannot reach the provider; answer in writing or in person.",
}


@dataclass(frozen=True)
class ProviderView:
    name: str
    phone: str | None
    recorded_by_id: uuid.UUID
    recorded_at: datetime
    answer: ProviderAnswer

    @property
    def answer_reason(self) -> str:
        return ANSWER_REASONS[self.answer]


async def providers_by_keys(keys: Sequence[ScopedKey]) -> list[ProviderView | None]:
    """In key order: the provider of each report the key's caller may see and may read the contact of; None for a
    report that staff did not record, one the caller may not see, or a provider they may not read. At most four
    queries per distinct caller, whatever the number of reports."""
    found: dict[ScopedKey, ProviderView] = {}
    for principal in {principal for principal, _ in keys}:
        found.update(await _providers_for(principal, list({report_id for p, report_id in keys if p == principal})))
    return [found.get(key) for key in keys]


async def _providers_for(principal: Principal, report_ids: list[uuid.UUID]) -> dict[ScopedKey, ProviderView]:
    visible = await Report.filter(visible_q(principal), id__in=report_ids).values_list("id", "agency_id", "reporter_id")
    readable = {report_id: reporter_id for report_id, agency_id, reporter_id in visible
                if may_see_reporter(principal, agency_id)}  # fmt: skip
    if not readable:
        return {}
    rows = await ReportProvider.filter(report_id__in=list(readable))
    with_phone = {readable[row.report_id] for row in rows if row.phone}
    in_apps = await app_users(connections.get("default"), with_phone) if with_phone else set()
    return {
        (principal, row.report_id): ProviderView(
            name=row.name,
            phone=row.phone,
            recorded_by_id=row.recorded_by_id,
            recorded_at=row.recorded_at,
            answer=_answer(row.phone, readable[row.report_id] in in_apps),
        )
        for row in rows
    }


def _answer(phone: str | None, in_app: bool) -> ProviderAnswer:
    """The rule of `services.notifications.queue.sms_phone`, told to staff."""
    if phone is None:
        return ProviderAnswer.NONE
    return ProviderAnswer.APP if in_app else ProviderAnswer.SMS
