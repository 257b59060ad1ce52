"""Exports as a console asks them: the mutation, then a GET of the link; and many reports written fast."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import openpyxl
from tortoise import connections

from models.agencies import Agency
from models.enums import Channel
from models.reports import Report
from models.users import User
from services.common.sql import Statement, dialect_of
from services.statistics import rollup
from tests.helpers.factories import Caller
from tests.helpers.graphql import gql, only_data

EXPORT_REPORTS = """
mutation($filter: ReportFilter, $format: ExportFormat!) {
  exportReports(filter: $filter, format: $format) { url expiresAt }
}
"""
EXPORT_STATISTICS = """
mutation($filter: StatisticsFilter, $format: ExportFormat!, $interval: StatisticsInterval!) {
  exportStatistics(filter: $filter, format: $format, interval: $interval) { url expiresAt }
}
"""
BOM = b"\xef\xbb\xbf"


def path_of(url: str) -> str:
    """The link's path, for the in-process client (the URL names the public host)."""
    return "/downloads/" + url.split("/downloads/", 1)[1]


async def export_reports(
    client: httpx.AsyncClient, caller: Caller, export_format: str = "CSV", **filter: Any
) -> dict[str, Any]:
    return await gql(client, EXPORT_REPORTS, {"filter": filter or None, "format": export_format}, caller.token)


async def fetch_reports(
    client: httpx.AsyncClient, caller: Caller, export_format: str = "CSV", **filter: Any
) -> httpx.Response:
    """Export and download at once; the download must succeed."""
    link = only_data(await export_reports(client, caller, export_format, **filter))["exportReports"]
    response = await client.get(path_of(link["url"]))
    assert response.status_code == 200, response.text
    return response


def csv_rows(response: httpx.Response) -> list[list[str]]:
    assert response.content.startswith(BOM)
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def xlsx_rows(content: bytes) -> list[tuple[Any, ...]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    try:
        return [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


async def bulk_reports(count: int, reporter: User, agency_code: str = "PC08", batch: int = 5_000) -> None:
    """`count` routed reports of one agency, one minute apart (newest now), inserted by the batch: a 50,000-row export
    test cannot afford a save per row. Every column comes from one report built as `make_report` builds it (so a
        column added to `Report` is filled by its default), with the id, code, times and description of each row."""
    agency = await Agency.get(code=agency_code)
    now = datetime.now(UTC)
    template = Report(
        code="",
        category_id="RED_LIGHT",
        description="",
        occurred_at=now,
        submitted_at=now,
        updated_at=now,
        latitude=21.0287,
        longitude=105.8524,
        address="Đinh Tiên Hoàng, Hoàn Kiếm",
        ward_id="00070",
        plate_number="29A-123.45",
        channel=Channel.ZALO,
        reporter_id=reporter.id,
        agency_id=agency.id,
        due_at=now + timedelta(hours=120),
    )
    template.derive()
    fields = Report._meta.fields_map
    columns = list(Report._meta.fields_db_projection.items())
    base = {name: fields[name].to_db_value(getattr(template, name), template) for name, _ in columns}

    def row(n: int) -> list[Any]:
        values = {
            "id": uuid.uuid4(),
            "code": f"PA-2001-{n:06d}",
            "description": f"Xe máy vượt đèn đỏ số {n} tại ngã tư Đinh Tiên Hoàng",
            "occurred_at": now - timedelta(minutes=n + 5),
            "submitted_at": now - timedelta(minutes=n),
        }
        converted = {name: fields[name].to_db_value(value, template) for name, value in values.items()}
        return [converted.get(name, base[name]) for name, _ in columns]

    connection = connections.get("default")
    names = ", ".join(column for _, column in columns)
    insert = Statement(f"INSERT INTO report ({names}) VALUES ({', '.join('?' * len(columns))})")
    sql = insert.numbered(dialect_of(connection)).sql
    for start in range(0, count, batch):
        await connection.execute_many(sql, [row(n) for n in range(start, min(start + batch, count))])
    await rollup.rebuild(connection)  # the statistics follow the reports, as every write keeps them
