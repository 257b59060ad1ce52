"""An XLSX workbook of one sheet, written as it is sent: the five SpreadsheetML parts any reader needs, zipped by
`services.common.zipstream`.

No library: the sheet is written row by row as XML into a ZIP that is itself streamed, so nothing holds more than a
chunk. (xlsxwriter's `constant_memory` mode would still write a temporary file of the whole sheet before the first
byte goes out, and openpyxl's write-only mode keeps the sheet in a temporary file too.) Text goes in inline strings
(`t="inlineStr"`), not the shared-strings table, whose index would have to be written before the sheet, so would
hold every distinct text; inline strings are never evaluated as formulas. Numbers are number cells. Excel, LibreOffice,
Google Sheets and openpyxl open it; no styles part, so every cell has Excel's default look.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

from services.common.zipstream import Member, stream_zip
from services.exports.formats import CHUNK_CHARS, Cell, Row, Table, clean

# Excel's own limits: a cell holds at most this many characters, a sheet's name at most 31 of these.
MAX_CELL_CHARS = 32_767
MAX_SHEET_NAME = 31
SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CONTENT_TYPES = (
    f"{DECLARATION}"
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    f'{DECLARATION}<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    f'{DECLARATION}<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def _workbook(sheet: str) -> str:
    name = clean(sheet).translate(SHEET_NAME_FORBIDDEN)[:MAX_SHEET_NAME] or "Sheet1"
    return (
        f'{DECLARATION}<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>'
        f'<sheet name={quoteattr(name)} sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def column_name(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(65 + remainder) + name
    return name


def _cell(reference: str, cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, int):
        return f'<c r="{reference}"><v>{cell}</v></c>'
    text = escape(clean(cell)[:MAX_CELL_CHARS])
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{reference}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _row(number: int, row: Row, columns: list[str]) -> str:
    cells = "".join(_cell(f"{column}{number}", cell) for column, cell in zip(columns, row, strict=False))
    return f'<row r="{number}">{cells}</row>'


async def _sheet(table: Table) -> AsyncIterator[bytes]:
    columns = [column_name(index) for index in range(len(table.header))]
    parts = [f'{DECLARATION}<worksheet xmlns="{MAIN}"><sheetData>', _row(1, table.header, columns)]
    size, number = 0, 1
    async for row in table.rows:
        number += 1
        part = _row(number, row, columns)
        parts.append(part)
        size += len(part)
        if size >= CHUNK_CHARS:
            yield "".join(parts).encode()
            parts.clear()
            size = 0
    parts.append("</sheetData></worksheet>")
    yield "".join(parts).encode()


async def _once(text: str) -> AsyncIterator[bytes]:
    yield text.encode()


async def xlsx_chunks(table: Table, modified: datetime) -> AsyncIterator[bytes]:
    """The workbook's bytes; `modified` (local time) dates its parts."""

    async def members() -> AsyncIterator[Member]:
        yield Member("[Content_Types].xml", _once(CONTENT_TYPES), modified)
        yield Member("_rels/.rels", _once(PACKAGE_RELS), modified)
        yield Member("xl/workbook.xml", _once(_workbook(table.sheet)), modified)
        yield Member("xl/_rels/workbook.xml.rels", _once(WORKBOOK_RELS), modified)
        yield Member("xl/worksheets/sheet1.xml", _sheet(table), modified)

    async for chunk in stream_zip(members()):
        yield chunk
