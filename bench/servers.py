"""The server processes of a benchmark: the API and its anchor, each started by the same uvicorn command line on a
free port of 127.0.0.1, optionally pinned to CPUs with `taskset`, and stopped at the end.

`phananh serve` runs `uvicorn.run("api.main:app", host=..., port=..., workers=..., proxy_headers=True,
log_level=..., loop="uvloop", http="httptools")` (api/cli.py); `UVICORN_FLAGS` are the same flags, so the API and
the anchor are served alike. If `phananh serve` gains a flag, add it here too.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import httpx

from bench.cli import fail
from tests.helpers.servers import REPO, STARTUP_SECONDS, free_port, server_env

UVICORN_FLAGS = ["--proxy-headers", "--log-level", "warning", "--loop", "uvloop", "--http", "httptools"]
API = "api.main:app"


@dataclass(frozen=True)
class Server:
    name: str
    url: str
    pid: int
    command: list[str]

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1)

    def rss_kib(self) -> int:
        """Resident memory of the server and its descendants (with several workers, uvicorn's supervisor forks)."""
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        total, pending = 0, [self.pid]
        while pending:
            pid = pending.pop()
            pending += children.get(pid, [])
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        return total


def uvicorn_command(app: str, port: int, workers: int, cpus: str | None) -> list[str]:
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), *UVICORN_FLAGS]
    if cpus and shutil.which("taskset"):
        command = ["taskset", "-c", cpus, *command]
    return command


@asynccontextmanager
async def serving(
    name: str, app: str, env: dict[str, str], log: Path, *, workers: int = 1, cpus: str | None = None
) -> AsyncIterator[Server]:
    """Serve `app` (which answers GET /healthz) until the block ends; its output goes to `log`, whose end is printed
    when the block fails (the log is in a temporary directory, gone afterwards)."""
    port = free_port()
    command = uvicorn_command(app, port, workers, cpus)
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            *command, env=server_env(env), cwd=REPO, stdout=out, stderr=asyncio.subprocess.STDOUT
        )
    server = Server(name, f"http://127.0.0.1:{port}", process.pid, command)
    try:
        await _wait_until_up(server, process, log)
        try:
            yield server
        except BaseException:
            print(f"--- the end of {server.name}'s log:\n{tail(log)}", file=sys.stderr)
            raise
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _wait_until_up(server: Server, process: asyncio.subprocess.Process, log: Path) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STARTUP_SECONDS
    async with httpx.AsyncClient(timeout=1) as client:
        while loop.time() < deadline:
            if process.returncode is not None:
                stopped(f"{server.name} exited with {process.returncode}", log)
            try:
                if (await client.get(f"{server.url}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    stopped(f"{server.name} did not start within {STARTUP_SECONDS} s", log)


def stopped(what: str, log: Path) -> NoReturn:
    fail(f"{what}:\n{tail(log)}")


def tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
