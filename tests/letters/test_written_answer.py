"""The written answer through the endpoint and its download link: the author asks (idempotently), the PDF letter is
there once the report is decided, its text reads back in Vietnamese with the report's code, it names nobody, and
nobody else gets it, nor anyone through an altered or expired link."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from core import clock
from models.enums import ReportEventKind, Role
from models.events import ReportEvent
from tests.helpers.factories import Caller, make_caller
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.query_count import count_queries
from tests.helpers.reports_api import ANSWER, decide, submitted

ANSWER_FIELDS = "writtenAnswer { requestedAt available download { url expiresAt } }"
REQUEST = f"mutation($id: ID!) {{ requestWrittenAnswer(reportId: $id) {{ id code {ANSWER_FIELDS} }} }}"
REPORT = f"query($id: ID!) {{ report(id: $id) {{ id code {ANSWER_FIELDS} timeline {{ kind }} }} }}"
MINE = f"query {{ myReports(first: 50) {{ edges {{ node {{ id {ANSWER_FIELDS} }} }} }} }}"
FINE_ANSWER = "Đã lập biên bản xử phạt chủ phương tiện. Cảm ơn bạn đã phản ánh."


async def ask(client: httpx.AsyncClient, caller: Caller, report_id: str) -> dict[str, Any]:
    result: dict[str, Any] = only_data(await gql(client, REQUEST, {"id": report_id}, caller.token))[
        "requestWrittenAnswer"
    ]
    return result


async def answer_of(client: httpx.AsyncClient, caller: Caller, report_id: str) -> Any:
    return only_data(await gql(client, REPORT, {"id": report_id}, caller.token))["report"]["writtenAnswer"]


def path_of(url: str) -> str:
    return "/downloads/" + url.split("/downloads/", 1)[1]


async def penalized(client: httpx.AsyncClient, officer: Caller, report_id: str) -> None:
    only_data(await decide(client, officer, report_id, outcome="ACCEPT"))
    only_data(
        await decide(
            client,
            officer,
            report_id,
            outcome="PENALIZE",
            responseToCitizen=FINE_ANSWER,
            fineAmountVnd=4_000_000,
            legalBasis="Nghị định 168/2024/NĐ-CP, Điều 6, khoản 9",
            vehicleImpounded=True,
        )
    )


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


async def test_asked_before_the_decision_the_letter_comes_with_it(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller
) -> None:
    report = await submitted(client, citizen)
    assert (await answer_of(client, citizen, report["id"])) is None
    first = await ask(client, citizen, report["id"])
    again = await ask(client, citizen, report["id"])
    assert first["writtenAnswer"] == again["writtenAnswer"]
    assert first["writtenAnswer"]["available"] is False
    assert first["writtenAnswer"]["download"] is None
    assert await ReportEvent.filter(kind=ReportEventKind.ANSWER_REQUESTED).count() == 1
    staff_view = only_data(await gql(client, REPORT, {"id": report["id"]}, officer.token))["report"]
    assert staff_view["writtenAnswer"] is None
    assert staff_view["timeline"][-1] == {"kind": "ANSWER_REQUESTED"}

    await penalized(client, officer, report["id"])
    answer = await answer_of(client, citizen, report["id"])
    assert answer["available"] is True
    assert answer["requestedAt"] == first["writtenAnswer"]["requestedAt"]
    response = await client.get(path_of(answer["download"]["url"]))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert f"{report['code']}-tra-loi.pdf" in response.headers["content-disposition"]
    text = text_of(response.content)
    for expected in (
        report["code"],
        "Đã xử phạt vi phạm hành chính",
        "Số tiền phạt: 4.000.000 đồng",
        "Nghị định 168/2024/NĐ-CP, Điều 6, khoản 9",
        "Tạm giữ phương tiện: Có",
        FINE_ANSWER,
        "Phòng Cảnh sát giao thông",
        "Vượt đèn đỏ",
    ):
        assert expected in text, expected
    for private in (citizen.user.phone, citizen.user.full_name, officer.user.full_name, "29A-123.45"):
        assert private not in text, private
    assert b"/FontFile2" in response.content  # the font is embedded


async def test_asked_after_the_decision_the_letter_is_there_at_once(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller
) -> None:
    report = await submitted(client, citizen)
    only_data(await decide(client, officer, report["id"], outcome="REJECT", responseToCitizen=ANSWER))
    answer = (await ask(client, citizen, report["id"]))["writtenAnswer"]
    assert answer["available"] is True
    text = text_of((await client.get(path_of(answer["download"]["url"]))).content)
    assert "Không xử lý: chưa đủ căn cứ xác định vi phạm" in text
    assert "Ngày thụ lý: Không thụ lý" in text
    assert report["code"] in text
    assert ANSWER in text


async def test_nobody_else_gets_it(
    app: Any,
    client: httpx.AsyncClient,
    codec: Any,
    citizen: Caller,
    officer: Caller,
    admin: Caller,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stranger = await make_caller(codec, Role.CITIZEN, phone="0987654321")
    report = await submitted(client, citizen)
    assert_refused(await gql(client, REQUEST, {"id": report["id"]}, stranger.token), "NOT_FOUND", field="reportId")
    assert_refused(await gql(client, REQUEST, {"id": report["id"]}, officer.token), "FORBIDDEN")
    assert not await ReportEvent.filter(kind=ReportEventKind.ANSWER_REQUESTED).exists()
    await ask(client, citizen, report["id"])
    await penalized(client, officer, report["id"])
    assert (await answer_of(client, admin, report["id"])) is None
    url = (await answer_of(client, citizen, report["id"]))["download"]["url"]
    # The same parameters in a link signed for someone else: the producer refuses them.
    for other in (stranger, officer, admin):
        foreign = app.state.downloads.issue("letter", {"report": report["id"]}, other.user.id)
        refused = await client.get(path_of(foreign.url))
        assert refused.status_code == 404, other.user.role
        assert refused.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    token = path_of(url).removeprefix("/downloads/")
    payload, signature = token.split(".")
    altered = await client.get(f"/downloads/{payload}.{signature[:-1]}{'0' if signature[-1] != '0' else '1'}")
    assert altered.status_code == 403
    later = clock.now() + timedelta(seconds=app.state.settings.download_url_ttl_seconds + 1)
    monkeypatch.setattr(clock, "now", lambda: later)
    expired = await client.get(path_of(url))
    assert (expired.status_code, expired.json()["errors"][0]["extensions"]["code"]) == (403, "FORBIDDEN")


async def test_undecided_reports_have_no_letter_even_with_a_link(
    app: Any, client: httpx.AsyncClient, citizen: Caller, officer: Caller
) -> None:
    report = await submitted(client, citizen)
    await ask(client, citizen, report["id"])
    only_data(await decide(client, officer, report["id"], outcome="ACCEPT"))
    assert (await answer_of(client, citizen, report["id"]))["available"] is False
    forged = app.state.downloads.issue("letter", {"report": report["id"]}, citizen.user.id)
    response = await client.get(path_of(forged.url))
    assert (response.status_code, response.json()["errors"][0]["extensions"]["code"]) == (404, "NOT_FOUND")


async def test_the_citizens_list_reads_written_answers_without_more_statements(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller
) -> None:
    counts = []
    for batch in (1, 4):
        for _ in range(batch):
            report = await submitted(client, citizen)
            await ask(client, citizen, report["id"])
            only_data(await decide(client, officer, report["id"], outcome="REJECT", responseToCitizen=ANSWER))
        with count_queries() as log:
            edges = only_data(await gql(client, MINE, {}, citizen.token))["myReports"]["edges"]
        counts.append(log.count)
    assert len(edges) == 5
    assert all(edge["node"]["writtenAnswer"]["download"] for edge in edges)
    assert counts[0] == counts[1]
