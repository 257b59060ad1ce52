"""Load on one HTTP endpoint: wrk for measurements, a small httpx loop for smoke runs (which must not need wrk).

wrk is in Debian and Ubuntu (`apt-get install -y wrk`) and Homebrew (`brew install wrk`); sources at
https://github.com/wg/wrk. It runs one thread on the load CPUs, so the server keeps its own core.
"""

from __future__ import annotations

import asyncio
import math
import shutil
import tempfile
import time
from dataclasses import dataclass

import httpx

from bench.cli import fail

WRK_MISSING = (
    "wrk is not installed: `apt-get install -y wrk` (Debian, Ubuntu) or `brew install wrk` (macOS), or build it from "
    "https://github.com/wg/wrk; a smoke run (--smoke) does not need it"
)

# wrk's Lua hooks: the same POST on every connection, and one machine-readable line at the end (times in µs).
WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = [==[{body}]==]
{headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
"""


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Load:
    connections: int
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        fail(WRK_MISSING)


async def wrk(request: Request, connections: int, seconds: float, cpus: str) -> Load:
    """`connections` connections for `seconds` on one wrk thread; any socket error or HTTP status >= 400 counts."""
    headers = "\n".join(f'wrk.headers["{name}"] = [==[{value}]==]' for name, value in request.headers.items())
    script = WRK_SCRIPT.format(body=request.body.decode(), headers=headers)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as file:
        file.write(script)
        file.flush()
        command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s", file.name]
        if cpus and shutil.which("taskset"):
            command = ["taskset", "-c", cpus, *command]
        process = await asyncio.create_subprocess_exec(
            *command, request.url, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        output = (await process.communicate())[0].decode()
    line = next((line for line in output.splitlines() if line.startswith("BENCH ")), None)
    if process.returncode != 0 or line is None:
        fail(f"wrk failed ({process.returncode}):\n{output}")
    requests, duration_us, p50_us, p99_us, errors = (int(value) for value in line.split()[1:])
    return Load(connections, requests, duration_us / 1e6, p50_us / 1000, p99_us / 1000, errors)


async def python_load(request: Request, connections: int, requests: int) -> Load:
    """`requests` POSTs over `connections` connections; a status other than 200 or a GraphQL error counts."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def one_connection(count: int) -> None:
            nonlocal errors
            for _ in range(count):
                began = time.perf_counter()
                response = await client.post(request.url, content=request.body, headers=request.headers)
                latencies.append((time.perf_counter() - began) * 1000)
                if response.status_code != 200 or "errors" in response.json():
                    errors += 1

        started = time.perf_counter()
        shares = [requests // connections + (i < requests % connections) for i in range(connections)]
        await asyncio.gather(*(one_connection(share) for share in shares))
        seconds = time.perf_counter() - started
    return Load(connections, requests, seconds, percentile(latencies, 50), percentile(latencies, 99), errors)


def percentile(values: list[float], percent: float) -> float:
    """Nearest rank: the smallest value with at least `percent` % of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)] if ordered else math.nan
