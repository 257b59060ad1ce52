"""An export of 50,000 reports streams in a fixed amount of memory: the process's resident memory grows by a few
megabytes while the file is produced, a fraction of the file, whatever the number of rows. The rows are written by
the batch, and the file is read straight from the producer the download route calls (the in-process test client
would hold the whole body). Resident memory rather than tracemalloc, which slows every allocation several times over:
the kernel's peak (VmHWM, reset through /proc/self/clear_refs) catches a peak between two chunks too."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

from auth.principal import Principal
from services.exports import reports as report_exports
from tests.helpers.exports_api import BOM, bulk_reports
from tests.helpers.factories import Caller

ROWS = 50_000
# What streaming may add at its peak, whatever the number of rows: a page of rows as values plus its rows as
# written, a chunk and the compressor, with room for the drivers and the allocator. Holding the 50,000 rows (or the
# 20 MiB CSV) would take several times it.
MEMORY_BOUND = 12 * 1024 * 1024
STATUS = Path("/proc/self/status")

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux's /proc/self")


def _kibibytes(name: str) -> int:
    found = re.search(rf"^{name}:\s+(\d+) kB", STATUS.read_text(), re.MULTILINE)
    assert found is not None
    return int(found.group(1))


def _reset_peak() -> None:
    """The peak (VmHWM) starts again from now."""
    Path("/proc/self/clear_refs").write_text("5")


async def _measured(principal: Principal, storage: Any, export_format: str) -> tuple[int, int, bytes, bytes]:
    """(the most resident memory grew while streaming, file size, first chunk, the last 200 kB), the file dropped."""
    produced = await report_exports.produce({"format": export_format, "max": "1000000"}, principal, storage)
    size, first, tail = 0, b"", b""
    _reset_peak()
    before = _kibibytes("VmRSS")
    async for chunk in produced.chunks:
        size += len(chunk)
        first = first or chunk
        tail = (tail + chunk)[-200_000:]
    return (_kibibytes("VmHWM") - before) * 1024, size, first, tail


async def test_fifty_thousand_rows_stream_in_bounded_memory(app: Any, officer: Caller, citizen: Caller) -> None:
    await bulk_reports(ROWS, citizen.user)
    principal = Principal.of(officer.user)

    grown, size, first, tail = await _measured(principal, app.state.storage, "CSV")
    assert first.startswith(BOM + "Mã phản ánh".encode())
    assert "Xe máy vượt đèn đỏ số 49999 tại ngã tư Đinh Tiên Hoàng".encode() in tail  # the oldest comes last
    assert size > MEMORY_BOUND, size
    assert grown < MEMORY_BOUND, f"{grown / 2**20:.1f} MiB more at the peak for a {size / 2**20:.1f} MiB file"

    grown, size, first, tail = await _measured(principal, app.state.storage, "XLSX")
    assert first.startswith(b"PK")
    assert b"PK\x05\x06" in tail  # the central directory closes the archive
    assert grown < MEMORY_BOUND, f"{grown / 2**20:.1f} MiB more at the peak for a {size / 2**20:.1f} MiB workbook"
