"""The legal clock of verification (Decree 61/2026, art. 21) through the endpoint, the clock moved by hand: 30 days
from acceptance counted as the Civil Code counts them, `dueAt`/`overdue`, the near-deadline filter, the one
extension with its reason, its refusals, and the statistics of decisions within and after the deadline."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from graphql import parse, validate

from core import clock
from models.enums import ReportEventKind, Role
from models.events import ReportEvent
from models.reports import Report
from schema import schema
from tests.helpers.factories import Caller, make_caller
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.query_count import count_queries
from tests.helpers.reports_api import ANSWER, HANOI, decide, submitted
from tests.helpers.servers import REPO

CLOCK_FIELDS = """
    id status dueAt overdue verificationDueAt
    verificationExtension { until reason at by { id } }
    timeline { kind at reason until actor { id } }
"""
REPORT = f"query($id: ID!) {{ report(id: $id) {{ {CLOCK_FIELDS} }} }}"
EXTEND = f"""
mutation($id: ID!, $days: Int!, $reason: String!) {{
  extendVerification(reportId: $id, days: $days, reason: $reason) {{ {CLOCK_FIELDS} }}
}}
"""
LIST = """
query($filter: ReportFilter) {
  reports(filter: $filter, first: 50) { edges { node { id code dueAt overdue verificationDueAt } } }
}
"""
FIGURES = "query { statistics { accepted penalized decidedWithinLegalDeadline decidedAfterLegalDeadline } }"
REASON = "Cần xác minh chủ phương tiện ở tỉnh khác."
# Accepted on Monday 1 March 2027 at 09:00 in Hanoi: day 1 is 2 March, day 30 Wednesday 31 March, whose end is
# 1 April 00:00 in Hanoi, 31 March 17:00 UTC.
ACCEPTED = datetime(2027, 3, 1, 9, 0, tzinfo=HANOI)
DUE = datetime(2027, 3, 31, 17, 0, tzinfo=UTC)


class Clock:
    """What `core.clock.now` answers while a test holds it: the instant set last."""

    def __init__(self) -> None:
        self.at = clock.now()

    def now(self) -> datetime:
        return self.at.astimezone(UTC)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> Clock:
    held = Clock()
    monkeypatch.setattr(clock, "now", held.now)
    return held


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


async def read(client: httpx.AsyncClient, caller: Caller, report_id: str) -> dict[str, Any]:
    report: dict[str, Any] = only_data(await gql(client, REPORT, {"id": report_id}, caller.token))["report"]
    return report


async def listed(client: httpx.AsyncClient, caller: Caller, **filter: Any) -> list[str]:
    body = await gql(client, LIST, {"filter": filter}, caller.token)
    return [edge["node"]["id"] for edge in only_data(body)["reports"]["edges"]]


async def accepted_at(
    client: httpx.AsyncClient, frozen: Clock, citizen: Caller, officer: Caller, at: datetime
) -> dict[str, Any]:
    """A report submitted now and accepted at `at` (the clock is left there)."""
    report = await submitted(client, citizen)
    frozen.at = at
    only_data(await decide(client, officer, report["id"], outcome="ACCEPT"))
    return report


async def test_acceptance_starts_thirty_days_and_the_report_turns_overdue_after_them(
    client: httpx.AsyncClient, frozen: Clock, citizen: Caller, officer: Caller, admin: Caller
) -> None:
    report = await submitted(client, citizen)
    before = await read(client, officer, report["id"])
    assert before["verificationDueAt"] is None
    assert before["dueAt"] == report["dueAt"]
    frozen.at = ACCEPTED
    only_data(await decide(client, officer, report["id"], outcome="ACCEPT"))
    accepted = await read(client, officer, report["id"])
    assert accepted["dueAt"] == accepted["verificationDueAt"] == iso(DUE)
    assert accepted["overdue"] is False
    # Near the deadline: listed from 30 days ahead (its day 30 is the 30th day from today), not from 29.
    assert report["id"] not in await listed(client, officer, legalDeadlineWithinDays=29)
    assert report["id"] in await listed(client, officer, legalDeadlineWithinDays=30, status="ACCEPTED")
    frozen.at = datetime(2027, 3, 31, 16, 59, 59, tzinfo=UTC)
    assert (await read(client, officer, report["id"]))["overdue"] is False
    assert report["id"] in await listed(client, officer, legalDeadlineWithinDays=0, overdue=False)
    frozen.at = datetime(2027, 3, 31, 17, 0, 1, tzinfo=UTC)
    late = await read(client, citizen, report["id"])
    assert (late["overdue"], late["dueAt"]) == (True, iso(DUE))
    assert report["id"] in await listed(client, officer, overdue=True)
    assert report["id"] in await listed(client, officer, legalDeadlineWithinDays=0)
    assert report["id"] not in await listed(client, officer, legalDeadlineWithinDays=0, overdue=False)
    only_data(
        await decide(
            client,
            officer,
            report["id"],
            outcome="PENALIZE",
            responseToCitizen=ANSWER,
            fineAmountVnd=4_000_000,
            legalBasis="Nghị định 168/2024/NĐ-CP, Điều 6",
        )
    )
    closed = await read(client, officer, report["id"])
    assert (closed["overdue"], closed["dueAt"]) == (False, iso(DUE))
    figures = only_data(await gql(client, FIGURES, {}, admin.token))["statistics"]
    assert figures == {"accepted": 1, "penalized": 1, "decidedWithinLegalDeadline": 0, "decidedAfterLegalDeadline": 1}


async def test_days_are_hanoi_calendar_days_and_a_weekend_end_moves_to_monday(
    client: httpx.AsyncClient, frozen: Clock, citizen: Caller, officer: Caller
) -> None:
    for at, due in (
        # 23:30 on Monday 1 March in Hanoi (16:30 UTC): day 30 is 31 March, as for 09:00.
        (datetime(2027, 3, 1, 23, 30, tzinfo=HANOI), DUE),
        # 00:30 on Tuesday 2 March in Hanoi, still 1 March in UTC: day 30 is Thursday 1 April.
        (datetime(2027, 3, 2, 0, 30, tzinfo=HANOI), datetime(2027, 4, 1, 17, 0, tzinfo=UTC)),
        # Friday 5 March: day 30 is Sunday 4 April, so the period ends with Monday 5 April.
        (datetime(2027, 3, 5, 10, 0, tzinfo=HANOI), datetime(2027, 4, 5, 17, 0, tzinfo=UTC)),
    ):
        frozen.at = datetime.now(UTC)
        report = await accepted_at(client, frozen, citizen, officer, at)
        assert (await read(client, officer, report["id"]))["verificationDueAt"] == iso(due), at


async def test_one_extension_with_its_reason_moves_the_deadline_and_shows_in_the_timeline(
    client: httpx.AsyncClient, frozen: Clock, citizen: Caller, officer: Caller, agency_admin: Caller, admin: Caller
) -> None:
    report = await accepted_at(client, frozen, citizen, officer, ACCEPTED)
    frozen.at = datetime(2027, 3, 20, 8, 0, tzinfo=HANOI)
    body = await gql(client, EXTEND, {"id": report["id"], "days": 45, "reason": f"  {REASON} "}, officer.token)
    extended = only_data(body)["extendVerification"]
    until = iso(datetime(2027, 4, 15, 17, 0, tzinfo=UTC))  # day 45: Thursday 15 April
    assert extended["dueAt"] == extended["verificationDueAt"] == until
    assert extended["verificationExtension"] == {
        "until": until,
        "reason": REASON,
        "at": iso(frozen.at),
        "by": {"id": str(officer.user.id)},
    }
    event = extended["timeline"][-1]
    assert event == {
        "kind": "DEADLINE_EXTENDED",
        "at": iso(frozen.at),
        "reason": REASON,
        "until": until,
        "actor": {"id": str(officer.user.id)},
    }
    seen = await read(client, citizen, report["id"])
    assert seen["verificationExtension"]["reason"] == REASON
    assert seen["verificationExtension"]["by"] is None
    assert seen["timeline"][-1]["actor"] is None
    assert_refused(
        await gql(client, EXTEND, {"id": report["id"], "days": 60, "reason": REASON}, agency_admin.token), "CONFLICT"
    )
    frozen.at = datetime(2027, 4, 2, 9, 0, tzinfo=HANOI)  # past the first 30 days, within the extension
    assert (await read(client, officer, report["id"]))["overdue"] is False
    assert report["id"] not in await listed(client, officer, overdue=True)
    assert report["id"] in await listed(client, officer, legalDeadlineWithinDays=13)
    assert report["id"] not in await listed(client, officer, legalDeadlineWithinDays=12)
    only_data(await decide(client, officer, report["id"], outcome="RESOLVE", responseToCitizen=ANSWER))
    figures = only_data(await gql(client, FIGURES, {}, admin.token))["statistics"]
    assert (figures["decidedWithinLegalDeadline"], figures["decidedAfterLegalDeadline"]) == (1, 0)


async def test_refusals_write_nothing(
    client: httpx.AsyncClient,
    frozen: Clock,
    codec: Any,
    citizen: Caller,
    officer: Caller,
    other_officer: Caller,
    admin: Caller,
) -> None:
    routed = await submitted(client, citizen)
    report = await accepted_at(client, frozen, citizen, officer, ACCEPTED)

    async def extend(caller: Caller, report_id: str = report["id"], days: int = 45, reason: str = REASON) -> Any:
        return await gql(client, EXTEND, {"id": report_id, "days": days, "reason": reason}, caller.token)

    assert_refused(await extend(officer, days=61), "BAD_USER_INPUT", field="days", maxDays=60)
    assert_refused(await extend(officer, days=30), "BAD_USER_INPUT", field="days")
    assert_refused(await extend(officer, reason="   "), "BAD_USER_INPUT", field="reason")
    assert_refused(await extend(officer, reason="x" * 2001), "BAD_USER_INPUT")
    assert_refused(await extend(officer, routed["id"]), "CONFLICT")
    assert_refused(await extend(other_officer), "NOT_FOUND", field="reportId")
    assert_refused(await extend(admin), "FORBIDDEN")
    assert_refused(await extend(citizen), "FORBIDDEN")
    # Friday 5 March is accepted with day 30 on a Sunday; 31 days end on the same Monday: no extension at all.
    frozen.at = datetime.now(UTC)
    weekend = await accepted_at(client, frozen, citizen, officer, datetime(2027, 3, 5, 10, 0, tzinfo=HANOI))
    assert_refused(await extend(officer, weekend["id"], days=31), "BAD_USER_INPUT", field="days")
    frozen.at = datetime(2027, 4, 1, 0, 0, 1, tzinfo=HANOI)  # a second after the 30 days ended
    assert_refused(await extend(officer), "CONFLICT")
    assert_refused(
        await gql(client, LIST, {"filter": {"legalDeadlineWithinDays": 61}}, officer.token),
        "BAD_USER_INPUT",
        field="filter.legalDeadlineWithinDays",
    )
    assert_refused(
        await gql(client, LIST, {"filter": {"legalDeadlineWithinDays": -1}}, officer.token), "BAD_USER_INPUT"
    )
    stored = await Report.get(id=report["id"])
    assert (stored.verification_extended_at, stored.verification_extension_reason) == (None, None)
    assert not await ReportEvent.filter(kind=ReportEventKind.DEADLINE_EXTENDED).exists()
    del codec


async def test_the_near_deadline_list_costs_the_same_for_one_report_or_many(
    client: httpx.AsyncClient, frozen: Clock, codec: Any, officer: Caller
) -> None:
    citizens = [await make_caller(codec, Role.CITIZEN, phone=f"09123456{n:02d}") for n in range(6)]
    counts = []
    for batch in (citizens[:1], citizens[1:]):
        for author in batch:
            frozen.at = datetime.now(UTC)
            await accepted_at(client, frozen, author, officer, ACCEPTED)
        with count_queries() as log:
            await listed(client, officer, legalDeadlineWithinDays=30)
        counts.append(log.count)
    assert len(await listed(client, officer, legalDeadlineWithinDays=30)) == 6
    assert counts[0] == counts[1]


def test_the_readme_examples_of_the_procedure_are_valid_operations() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n## Evidence and the legal procedure\n")
    blocks = re.findall(r"```graphql\n(.*?)```", readme[start : readme.index("\n## ", start + 1)], re.DOTALL)
    assert len(blocks) >= 2
    for block in blocks:
        assert validate(schema._schema, parse(block)) == [], block
