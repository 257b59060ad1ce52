"""The two file formats of an export, written from one table (a header and rows of cells) chunk by chunk.

CSV is for scripts and for Excel alike: UTF-8 with a byte-order mark (without it Excel reads the bytes as the
Windows code page and "Vượt đèn đỏ" turns into mojibake), RFC 4180 quoting and CRLF line ends from the `csv` module.
A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe: a spreadsheet
opening the file would otherwise run it as a formula (`=HYPERLINK(...)` in a report's description is a phishing link
in an officer's Excel). The apostrophe stays visible in the CSV: that is the price of a file that is safe to open.
Numbers are ours (fines), never user text, and are written as they are. XLSX (`services.exports.workbook`) writes
text as inline strings, which no spreadsheet evaluates, so it needs no apostrophe.

Characters XML 1.0 forbids (controls other than tab and line breaks, lone surrogates, U+FFFE/U+FFFF) are dropped from
text in both formats, so the two files of one export always hold the same text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

# One chunk of the response: large enough that the per-chunk cost vanishes, small next to any memory bound.
CHUNK_CHARS = 64 * 1024
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

Cell = str | int | None
Row = Sequence[Cell]


class ExportFormat(StrEnum):
    CSV = "CSV"
    XLSX = "XLSX"


CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Table:
    """What an export writes, whatever the format: `rows` is read once, as the file is sent."""

    sheet: str
    header: Sequence[str]
    rows: AsyncIterable[Row]


def clean(text: str) -> str:
    return NOT_IN_XML.sub("", text)


def neutralised(text: str) -> str:
    """Text a spreadsheet shows as text: the apostrophe rule of the module docstring."""
    cleaned = clean(text)
    return f"'{cleaned}" if cleaned.startswith(FORMULA_STARTS) else cleaned


def _csv_cell(cell: Cell) -> str | int:
    if cell is None:
        return ""
    return cell if isinstance(cell, int) else neutralised(cell)


async def csv_chunks(table: Table) -> AsyncIterator[bytes]:
    """The table as CSV bytes, a chunk of about `CHUNK_CHARS` characters at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([_csv_cell(name) for name in table.header])
    async for row in table.rows:
        writer.writerow([_csv_cell(cell) for cell in row])
        if buffer.tell() >= CHUNK_CHARS:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
