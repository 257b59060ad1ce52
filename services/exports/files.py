"""A table becomes a `Download`: its bytes in the chosen format, and a file name dated in Hanoi time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

from core import clock
from core.clock import HANOI_TIME
from services.downloads import Download
from services.exports.formats import CONTENT_TYPES, ExportFormat, Table, csv_chunks
from services.exports.workbook import xlsx_chunks

EXTENSIONS = {ExportFormat.CSV: "csv", ExportFormat.XLSX: "xlsx"}


def instant(value: datetime | str) -> datetime:
    """A stored instant as either driver returns it read raw: a datetime (asyncpg), or ISO text (SQLite), in UTC."""
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def hanoi(value: datetime | str | None) -> str | None:
    """An instant as a Hanoi wall-clock time to the minute, as every date of an export is (its header says so)."""
    return None if value is None else instant(value).astimezone(HANOI_TIME).strftime("%Y-%m-%d %H:%M")


def download(stem: str, export_format: ExportFormat, table: Table) -> Download:
    """`stem-YYYYMMDD-HHMM.csv` (or `.xlsx`), streaming `table`."""
    now = clock.now().astimezone(HANOI_TIME)
    chunks: AsyncIterator[bytes] = (
        csv_chunks(table) if export_format is ExportFormat.CSV else xlsx_chunks(table, now.replace(tzinfo=None))
    )
    filename = f"{stem}-{now:%Y%m%d-%H%M}.{EXTENSIONS[export_format]}"
    return Download(filename, CONTENT_TYPES[export_format], chunks)
