"""`exportReports` through GraphQL and the link it returns: the console's list as CSV or XLSX, with the exact
Vietnamese text, the caller's visibility, formula injection neutralised, a row cap and a rate limit."""

from __future__ import annotations

import dataclasses
import typing
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from auth.principal import Principal
from core import clock
from models.agencies import Agency
from models.enums import Channel, DecisionOutcome, ReportStatus, Role
from services.downloads import DownloadSigner
from services.exports import reports as report_exports
from services.exports import tickets
from services.exports.reports import HEADER
from services.reports.queries import ReportFilter
from tests.helpers.exports_api import (
    csv_rows,
    export_reports,
    fetch_reports,
    path_of,
    xlsx_rows,
)
from tests.helpers.factories import Caller, make_caller, make_report
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.query_count import count_queries

VIETNAMESE = "Xe máy vượt đèn đỏ, biển 29A-123.45, ở Đinh Tiên Hoàng"
ADDRESS = "Ngã tư Đinh Tiên Hoàng – Lê Thái Tổ, Hoàn Kiếm"
COLUMN = {name: index for index, name in enumerate(HEADER)}
CONSOLE_LIST = "query($filter: ReportFilter) { reports(filter: $filter, first: 100) { edges { node { code } } } }"


def cell(row: list[str] | tuple[Any, ...], name: str) -> Any:
    return row[COLUMN[name]]


async def _reported(citizen: Caller, **fields: Any) -> Any:
    return await make_report(citizen.user, **{"description": VIETNAMESE, "address": ADDRESS, **fields})


async def test_csv_starts_with_the_bom_and_holds_the_exact_text(
    client: httpx.AsyncClient, officer: Caller, citizen: Caller
) -> None:
    submitted = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # 08:30 in Hanoi
    report = await _reported(citizen, submitted_at=submitted, fine_amount_vnd=None)
    response = await fetch_reports(client, officer, "CSV")

    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["cache-control"] == "private, no-store"
    assert ".csv" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf" + "Mã phản ánh".encode())
    header, row = csv_rows(response)
    assert tuple(header) == HEADER
    assert "Tiếp nhận lúc (giờ Hà Nội, UTC+7)" in header
    assert cell(row, "Mã phản ánh") == report.code
    assert cell(row, "Nội dung") == VIETNAMESE
    assert cell(row, "Địa chỉ") == ADDRESS
    assert cell(row, "Tiếp nhận lúc (giờ Hà Nội, UTC+7)") == "2026-11-23 08:30"
    assert cell(row, "Phường/xã") == "Phường Hoàn Kiếm"
    assert cell(row, "Trạng thái") == "ROUTED"
    assert cell(row, "Kênh") == "ZALO"
    assert cell(row, "Biển số") == "29A-123.45"
    # The handling agency's staff read the reporter's contact, as in the `reporter` field.
    assert cell(row, "Người phản ánh") == citizen.user.full_name
    assert cell(row, "Điện thoại người phản ánh") == citizen.user.phone


async def test_xlsx_opens_with_the_right_cells(
    client: httpx.AsyncClient, officer: Caller, citizen: Caller, agency_admin: Caller
) -> None:
    older = await _reported(citizen, submitted_at=clock.now() - timedelta(days=2))
    await _reported(citizen, description="Đỗ xe trên vỉa hè\x0b\x1f kéo dài", plate_number=None)
    await older.decisions.create(
        outcome=DecisionOutcome.REJECT, decided_by=agency_admin.user, decided_at=datetime(2026, 11, 1, 17, tzinfo=UTC)
    )
    response = await fetch_reports(client, officer, "XLSX")

    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    header, newest, oldest = xlsx_rows(response.content)
    assert header == HEADER
    assert cell(newest, "Nội dung") == "Đỗ xe trên vỉa hè kéo dài"  # characters XML forbids are dropped
    assert cell(newest, "Biển số") is None
    assert cell(newest, "Kết quả") is None
    assert cell(oldest, "Mã phản ánh") == older.code
    assert cell(oldest, "Nội dung") == VIETNAMESE
    assert cell(oldest, "Kết quả") == "REJECT"
    assert cell(oldest, "Quyết định lúc (giờ Hà Nội, UTC+7)") == "2026-11-02 00:00"
    assert cell(oldest, "Tạm giữ phương tiện") == "Không"
    assert cell(oldest, "Điện thoại người phản ánh") == citizen.user.phone


async def test_the_filter_is_the_consoles(client: httpx.AsyncClient, officer: Caller, citizen: Caller) -> None:
    accepted = await _reported(citizen, status=ReportStatus.ACCEPTED)
    await _reported(citizen)
    rows = csv_rows(await fetch_reports(client, officer, "CSV", status="ACCEPTED"))
    assert [cell(row, "Mã phản ánh") for row in rows[1:]] == [accepted.code]

    refused = await export_reports(client, officer, "CSV", plateNumber="not a plate at all")
    assert_refused(refused, "BAD_USER_INPUT", field="filter.plateNumber")


async def test_formula_injection_is_neutralised_in_csv(
    client: httpx.AsyncClient, officer: Caller, citizen: Caller
) -> None:
    await _reported(citizen, description='=HYPERLINK("http://evil.example","Bấm vào đây")', address="@SUM(A1:A9)")
    await _reported(citizen, description="-2+3", address="+cmd|' /C calc'!A0")
    rows = csv_rows(await fetch_reports(client, officer, "CSV"))
    cells = {cell(row, "Nội dung") for row in rows[1:]} | {cell(row, "Địa chỉ") for row in rows[1:]}
    assert cells == {
        '\'=HYPERLINK("http://evil.example","Bấm vào đây")',
        "'@SUM(A1:A9)",
        "'-2+3",
        "'+cmd|' /C calc'!A0",
    }


async def test_each_caller_exports_what_they_may_see(
    client: httpx.AsyncClient, officer: Caller, other_officer: Caller, admin: Caller, citizen: Caller
) -> None:
    ours = await _reported(citizen)
    theirs = await make_report(citizen.user, agency_code="CA-00070", description="Phường xử lý")
    pc08 = str((await Agency.get(code="PC08")).id)

    rows = csv_rows(await fetch_reports(client, other_officer, "CSV"))
    assert [cell(row, "Mã phản ánh") for row in rows[1:]] == [theirs.code]
    # Naming another agency finds nothing of it, as in `reports`.
    assert csv_rows(await fetch_reports(client, other_officer, "CSV", agencyId=pc08))[1:] == []

    everything = csv_rows(await fetch_reports(client, admin, "CSV"))
    assert {cell(row, "Mã phản ánh") for row in everything[1:]} == {ours.code, theirs.code}

    assert_refused(await export_reports(client, citizen, "CSV"), "FORBIDDEN")


async def test_the_link_is_judged_with_the_users_rights_at_download(
    app: Any, client: httpx.AsyncClient, officer: Caller, citizen: Caller, codec: Any
) -> None:
    await _reported(citizen)
    signer: DownloadSigner = app.state.downloads
    # A ticket for a citizen (never issued by the API, but the route must not trust that).
    ticket = signer.issue(report_exports.KIND, {"format": "CSV", "max": "9"}, citizen.user.id)
    forged = await client.get(path_of(ticket.url))
    assert forged.status_code == 403
    assert forged.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    link = only_data(await export_reports(client, officer, "CSV"))["exportReports"]
    officer.user.agency = await Agency.get(code="CA-00070")  # moved to another agency since
    await officer.user.save(update_fields=["agency_id"])
    rows = csv_rows(await client.get(path_of(link["url"])))
    assert rows[1:] == []


async def test_an_expired_link_is_refused(
    client: httpx.AsyncClient, officer: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = only_data(await export_reports(client, officer, "XLSX"))["exportReports"]
    later = datetime.fromisoformat(link["expiresAt"]) + timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = await client.get(path_of(link["url"]))
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_past_the_row_cap_a_last_row_says_the_file_was_cut(
    app: Any, client: httpx.AsyncClient, officer: Caller, citizen: Caller
) -> None:
    for _ in range(3):
        await _reported(citizen)
    signer: DownloadSigner = app.state.downloads
    link = signer.issue(report_exports.KIND, {"format": "CSV", "max": "2"}, officer.user.id)
    rows = csv_rows(await client.get(path_of(link.url)))
    assert len(rows) == 4
    assert rows[-1][0].startswith("… Dừng ở 2 dòng (truncated)")

    exact = signer.issue(report_exports.KIND, {"format": "CSV", "max": "3"}, officer.user.id)
    assert len(csv_rows(await client.get(path_of(exact.url)))) == 4


async def test_exports_are_rate_limited_per_person(
    client: httpx.AsyncClient, officer: Caller, agency_admin: Caller, app: Any
) -> None:
    per_hour = app.state.settings.export_limit_per_hour
    for _ in range(per_hour):
        only_data(await export_reports(client, officer, "CSV"))
    assert_refused(await export_reports(client, officer, "CSV"), "RATE_LIMITED")
    only_data(await export_reports(client, agency_admin, "CSV"))


async def test_pages_cost_two_statements_each(
    app: Any, citizen: Caller, officer: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    same = clock.now()  # ties on the time, across page boundaries: the id orders them
    codes = sorted([(await _reported(citizen, submitted_at=same)).code for _ in range(5)])
    monkeypatch.setattr(report_exports, "PAGE_ROWS", 2)
    produced = await report_exports.produce(
        {"format": "CSV", "max": "100"}, Principal.of(officer.user), app.state.storage
    )
    with count_queries() as log:
        content = b"".join([chunk async for chunk in produced.chunks])
    assert content.count(b"\r\n") == 6
    assert sorted(code for code in codes if code.encode() in content) == codes
    assert log.count == 6, log.statements  # three pages: the rows, then their decisions


async def test_a_moved_officer_of_no_agency_exports_nothing(
    client: httpx.AsyncClient, codec: Any, citizen: Caller
) -> None:
    await _reported(citizen)
    loose = await make_caller(codec, Role.OFFICER, None)
    assert csv_rows(await fetch_reports(client, loose, "CSV"))[1:] == []


async def test_the_export_holds_exactly_the_consoles_list(
    client: httpx.AsyncClient, officer: Caller, citizen: Caller
) -> None:
    submitted = clock.now() - timedelta(days=1)
    wanted = await _reported(citizen, submitted_at=submitted, description="Xe tải vượt đèn đỏ ở Đinh Tiên Hoàng")
    await _reported(citizen, submitted_at=submitted, description="Ổ gà trên phố Huế")
    await _reported(citizen, submitted_at=submitted - timedelta(days=10), description="Xe tải vượt đèn đỏ lần nữa")
    filter = {
        "search": "vuot den do dinh tien hoang",
        "submittedFrom": (submitted - timedelta(hours=1)).isoformat(),
        "submittedTo": (submitted + timedelta(hours=1)).isoformat(),
        "status": "ROUTED",
        "categoryCode": "RED_LIGHT",
        "wardCode": "00070",
        "channel": "ZALO",
        "plateNumber": "29a12345",
        "overdue": False,
    }
    listed = only_data(await gql(client, CONSOLE_LIST, {"filter": filter}, officer.token))["reports"]["edges"]
    exported = csv_rows(await fetch_reports(client, officer, "CSV", **filter))[1:]
    assert [cell(row, "Mã phản ánh") for row in exported] == [edge["node"]["code"] for edge in listed]
    assert [cell(row, "Mã phản ánh") for row in exported] == [wanted.code]


def test_every_field_of_the_consoles_filter_travels_in_a_ticket() -> None:
    """A field another feature adds to `ReportFilter` is carried too (or this fails: a type the tickets cannot
    carry), so an export never silently drops a condition of the console's list."""
    samples: dict[Any, Any] = {
        str: "vuot den do",
        int: 7,
        bool: False,
        datetime: datetime(2026, 11, 23, 1, 30, tzinfo=UTC),
        ReportStatus: ReportStatus.ACCEPTED,
        Channel: Channel.HOTLINE,
    }
    hints = typing.get_type_hints(ReportFilter)
    values = {}
    for field in dataclasses.fields(ReportFilter):
        kind = next(arm for arm in typing.get_args(hints[field.name]) if arm is not type(None))
        values[field.name] = samples[kind]
    wanted = ReportFilter(**values)
    params = tickets.filter_params(wanted)
    assert len(params) == len(values)
    assert tickets.filter_from(params, ReportFilter) == wanted
