"""Report codes under load: a burst of parallel submissions gets unique codes and every row it should, a year is
numbered from its first report on, and a refused submission takes nothing from the hourly limit."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise import connections

from auth.principal import Principal
from core.settings import Settings
from models.enums import Channel, ReportEventKind, Role
from models.events import ReportEvent
from models.media import Media
from models.outbox import OutboxEvent
from models.reports import IdempotencyKey, Report
from services.reports import submission
from services.reports.drafts import LocationDraft, ReportDraft
from tests.helpers.auth_flows import client_for
from tests.helpers.environment import make_settings
from tests.helpers.factories import Caller, make_caller, make_media, make_report
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.query_count import count_queries
from tests.helpers.reports_api import owned_media_ids, report_input

CODE = re.compile(r"PA-(\d{4})-(\d{6,})")
SUBMIT_CODE = """
mutation($input: SubmitReportInput!, $key: String!) { submitReport(input: $input, idempotencyKey: $key) { id code } }
"""
# 12 after issue 15; then the originals' hashes and the chain of custody's first entries (2, issue 18), the
# reporter's Zalo app, which answers a Zalo report (issue 19), and the hotspot rollup (issue 19): 16. Then the
# originals come back from the claim of the media, and on PostgreSQL the chain of custody and the timeline go in the
# outbox row's statement (SQLite runs those three one by one).
SUBMISSION_STATEMENTS = {"postgres": 13, "sqlite": 15}


async def _burst(client: httpx.AsyncClient, callers: list[Caller], each: int) -> list[dict[str, Any]]:
    async def citizen(caller: Caller, n: int) -> list[dict[str, Any]]:
        answers = []
        for i in range(each):
            variables = report_input(await owned_media_ids(caller.user), plateNumber=f"29A{10000 + n * each + i}")
            answers.append(await gql(client, SUBMIT_CODE, {"input": variables, "key": str(uuid.uuid4())}, caller.token))
        return answers

    batches = await asyncio.gather(*(citizen(caller, n) for n, caller in enumerate(callers)))
    return [answer for batch in batches for answer in batch]


async def test_a_burst_of_parallel_submissions_gets_unique_codes_and_every_row(
    client: httpx.AsyncClient, codec: Any
) -> None:
    callers = [await make_caller(codec, Role.CITIZEN) for _ in range(12)]
    answers = await _burst(client, callers, each=3)
    reports = [only_data(answer)["submitReport"] for answer in answers]
    codes = [report["code"] for report in reports]
    assert len(set(codes)) == len(codes) == 36
    assert all(CODE.fullmatch(code) for code in codes)
    assert await Report.all().count() == 36
    assert await IdempotencyKey.all().count() == 36
    assert await ReportEvent.filter(kind=ReportEventKind.SUBMITTED).count() == 36
    assert await ReportEvent.filter(kind=ReportEventKind.ROUTED).count() == 36
    assert await OutboxEvent.all().count() == 36
    assert await Media.filter(report_id__isnull=False).count() == 36
    stored = {report.id: report.code for report in await Report.all()}
    assert stored == {uuid.UUID(report["id"]): report["code"] for report in reports}


async def test_a_submission_runs_few_statements(client: httpx.AsyncClient, citizen: Caller) -> None:
    """The category comes from memory and a retry is not looked up first: BEGIN and COMMIT aside, what is left is
    the caller's account, the hourly limit, the route, the duplicate check, the number, the reporter's Zalo app, the
    report, its key, its media (claimed, returning the originals' hashes), the chain of custody's first entries and
    its timeline (one batch each), its outbox row (on PostgreSQL one statement with those two batches) and the
    statistics (one statement per rollup table). Before issue 15 this was 16 statements and two transactions."""
    warm_up = {"input": report_input(await owned_media_ids(citizen.user)), "key": str(uuid.uuid4())}
    only_data(await gql(client, SUBMIT_CODE, warm_up, citizen.token))  # the category cached, the hour's window open
    variables = {"input": report_input(await owned_media_ids(citizen.user)), "key": str(uuid.uuid4())}
    with count_queries() as log:
        only_data(await gql(client, SUBMIT_CODE, variables, citizen.token))
    dialect = connections.get("default").capabilities.dialect
    assert log.count <= SUBMISSION_STATEMENTS[dialect], "\n".join(log.statements)


async def test_a_refused_submission_takes_nothing_from_the_hourly_limit(
    settings: Settings, tmp_path: Path, citizen: Caller
) -> None:
    """The limit is taken in the report's transaction: a submission refused after it (its photo already used) rolls
    the take back with everything else, so the citizen can still send the two reports the hour allows."""
    used = await owned_media_ids(citizen.user)
    async with client_for(make_settings(settings.database_url, tmp_path, REPORT_LIMIT_PER_HOUR="2")) as client:

        async def send(media_ids: list[str]) -> dict[str, Any]:
            variables = {"input": report_input(media_ids), "key": str(uuid.uuid4())}
            return await gql(client, SUBMIT_CODE, variables, citizen.token)

        only_data(await send(used))
        assert_refused(await send(used), "BAD_USER_INPUT")
        only_data(await send(await owned_media_ids(citizen.user)))
        assert_refused(await send(await owned_media_ids(citizen.user)), "RATE_LIMITED")
    assert await Report.filter(reporter_id=citizen.user.id).count() == 2


def _draft(media_id: uuid.UUID, at: datetime) -> ReportDraft:
    return ReportDraft(
        category_code="RED_LIGHT",
        description="Xe ô tô vượt đèn đỏ ở ngã tư.",
        occurred_at=at - timedelta(minutes=30),
        location=LocationDraft(21.0287, 105.8524),
        channel=Channel.ZALO,
        media_ids=(str(media_id),),
    )


async def _submit_in(year: int, caller: Caller) -> str:
    """A submission arriving in March of `year` (the service takes the time; a client cannot)."""
    at = datetime(year, 3, 1, 8, tzinfo=UTC)
    media = await make_media(caller.user)
    report = await submission.submit_report(
        Principal.of(caller.user), _draft(media.id, at), str(uuid.uuid4()), max_age_days=30, per_hour=100, now=at
    )
    return report.code


async def test_the_first_reports_of_a_year_number_it_from_one_at_once(codec: Any) -> None:
    """On PostgreSQL they all find the year's sequence missing; one makes it, the others find it made."""
    callers = [await make_caller(codec, Role.CITIZEN) for _ in range(8)]
    codes = await asyncio.gather(*(_submit_in(2098, caller) for caller in callers))
    assert sorted(codes) == [f"PA-2098-{n:06d}" for n in range(1, 9)]


async def test_a_year_with_codes_already_goes_on_after_them(db_kind: str, citizen: Caller) -> None:
    """A database numbered before the sequences (by the counter row) keeps its codes; PostgreSQL only, as SQLite
    numbers with that very counter."""
    if db_kind == "sqlite":
        pytest.skip("SQLite numbers with the counter row, which these codes came from")
    await make_report(citizen.user, code="PA-2099-000041")
    assert await _submit_in(2099, citizen) == "PA-2099-000042"
