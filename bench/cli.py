"""What every benchmark's command line shares: `--smoke`, the PostgreSQL server, the CPUs of the server and of the
load, how a wrong answer ends the run, and the description of the machine printed above the figures."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import signal
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, NoReturn

PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"
SMOKE_NOTE = "smoke run: tiny sizes, every answer checked, timings mean nothing"


def fail(message: str) -> NoReturn:
    """A wrong answer or a broken run: the process exits with status 1 and says why."""
    raise SystemExit(f"benchmark failed: {message}")


def run(main: Coroutine[Any, Any, None]) -> None:
    """`asyncio.run`, where SIGTERM cancels the benchmark, so that it still stops its servers and drops its databases
    (as a test run that gives up on it, or Ctrl-C, expects)."""

    async def cancellable() -> None:
        task = asyncio.current_task()
        assert task is not None
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        await main

    try:
        asyncio.run(cancellable())
    except asyncio.CancelledError:
        raise SystemExit("benchmark stopped by SIGTERM: its servers were stopped and its databases dropped") from None


def parser(doc: str | None) -> argparse.ArgumentParser:
    described = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    described.add_argument(
        "--smoke", action="store_true", help="tiny sizes and every answer checked, no timing: what `make test` runs"
    )
    described.add_argument("--pg-url", default=PG_URL, help=f"PostgreSQL server for the scratch database ({PG_URL})")
    return described


def add_cpu_arguments(described: argparse.ArgumentParser) -> None:
    """On two cores or more the server gets the first and the load (wrk, or this process) the last, so that neither
    takes the other's time; `--server-cpus ''` turns pinning off."""
    split = (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None
    last = str((os.cpu_count() or 1) - 1)
    described.add_argument("--server-cpus", default="0" if split else "", help="taskset CPU list of the server")
    described.add_argument("--load-cpus", default=last if split else "", help="CPU list of the load generator")


def pin_this_process(cpus: str) -> None:
    """Run the rest of this process (the Python load or the websocket clients) on `cpus`, in taskset's list form
    ("1", "1,3", "2-3")."""
    chosen: set[int] = set()
    for part in filter(None, cpus.split(",")):
        first, _, last = part.partition("-")
        chosen.update(range(int(first), int(last or first) + 1))
    if chosen:
        os.sched_setaffinity(0, chosen)


def machine() -> str:
    """`nproc`, the CPU model, the memory and how busy the machine was (the 1-minute load average when the figures
    were printed; on a shared machine only the ratios hold), for the line above a table of figures."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "")
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total_kib = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal:")), 0)
    return (
        f"machine: {os.cpu_count()} CPUs ({model or platform.processor() or 'unknown model'}), "
        f"{total_kib / 1024 / 1024:.1f} GiB memory, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
