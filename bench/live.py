"""How long a new report takes to reach every live console, beside a raw websocket broadcast of the same bytes.

    .venv/bin/python -m bench.live [--consoles 1000] [--reports 20] [--workers 1] [--events-url memory://|redis://...]
                                   [--db postgres|sqlite] [--pg-url postgres://...] [--smoke]

`--consoles` officers of PC08 each open a `graphql-transport-ws` console on the API (`api.main:app`, `--workers`
uvicorn workers, on the first CPU) and subscribe to `reportSubmitted`; a citizen then submits `--reports` red-light
reports at Hoàn Kiếm (which PC08 handles), one at a time, each timed from sending `submitReport` to its `next` frame
on the median and on the last console (so the submission's own round trip, printed too, is included), and from
the commit: from the `created_at` of the report's outbox row, written in the submission's transaction just before it
commits (so a little before the commit itself; client and server share the clock of this machine). Every console
must hear every report, or the run fails.

The anchor (`bench.anchors.broadcast_app`, served by the same uvicorn command line, one worker) then gets as many
plain websockets and broadcasts the exact frame the API sent, `--reports` times, each timed from the POST that
triggers it to the last socket. Both start with one round that is not counted. Also printed: each server's resident
memory per idle console (every worker counted, from the second console on). The clients run in this process, on the
last CPU, as bare websockets that cost little per frame (bench/sockets.py) and send no keepalive pings (browsers do
not); with many consoles they, too, take time, which the anchor's figure includes. With `--workers 2` use Redis
(`--events-url redis://127.0.0.1:6379/0`): consoles are spread over both workers.

The database is a scratch one (PostgreSQL on `--pg-url`, or a SQLite file), dropped at the end.
`--smoke` (what `make test` runs): 3 consoles, 2 reports, every frame checked, no timing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import resource
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.city import City, citizens, officers, ready_photo, scratch_city, submit_red_light
from bench.cli import SMOKE_NOTE, add_cpu_arguments, fail, machine, parser, pin_this_process, run
from bench.load import percentile
from bench.servers import API, Server, serving
from bench.sockets import Socket, open_socket
from models.outbox import OutboxEvent, OutboxKind

SUBSCRIBE = "subscription { reportSubmitted { id code } }"
ROUND_TIMEOUT_SECONDS = 30
OPEN_AT_ONCE = 50
WALL_OFFSET = time.time() - time.perf_counter()  # arrivals are read on perf_counter; the outbox row has wall time


@dataclass(frozen=True)
class Round:
    median_ms: float
    last_ms: float
    from_commit_ms: float = 0.0


@dataclass(frozen=True)
class Side:
    rounds: list[Round]
    memory_per_console_kib: float

    def last(self, percent: float) -> float:
        return percentile([r.last_ms for r in self.rounds], percent)

    def from_commit(self, percent: float) -> float:
        return percentile([r.from_commit_ms for r in self.rounds], percent)

    def median(self) -> float:
        return statistics.median(r.median_ms for r in self.rounds)


async def open_console(url: str, token: str) -> Socket:
    console = await open_socket(url, "graphql-transport-ws")
    console.send_text(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    if (ack := json.loads(await console.receive()))["type"] != "connection_ack":
        fail(f"a console was not acknowledged: {ack}")
    console.send_text(json.dumps({"id": "live", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
    # An operation after the subscription: once it completes, the subscription is in place.
    console.send_text(json.dumps({"id": "sync", "type": "subscribe", "payload": {"query": "{ __typename }"}}))
    while (message := json.loads(await console.receive())) != {"id": "sync", "type": "complete"}:
        if message.get("type") == "error" or message.get("payload", {}).get("errors"):
            fail(f"a console's subscription failed: {message}")
    return console


def next_frames(sockets: list[Socket]) -> asyncio.Future[list[tuple[float, str]]]:
    """The next frame of every socket and when it was read, once all have one (a closed socket's frame is empty).
    Set before the push, so that no frame can come first; checked afterwards, so that each costs little."""
    done: asyncio.Future[list[tuple[float, str]]] = asyncio.get_running_loop().create_future()
    heard: dict[int, tuple[float, str]] = {}

    def listener(socket: Socket, arrived: float, text: str) -> None:
        heard.setdefault(id(socket), (arrived, text))
        if len(heard) == len(sockets) and not done.done():
            done.set_result(list(heard.values()))

    for socket in sockets:
        socket.listener = listener
    return done


async def through_api(api: Server, city: City, args: Any) -> tuple[Side, list[float], str]:
    """The rounds on the API, the submissions' round trips (ms), and the frame the consoles received."""
    staff = await officers(args.consoles)
    citizen = (await citizens(1))[0]
    photos = [str((await ready_photo(citizen)).id) for _ in range(args.reports + 1)]
    citizen_token = city.token(citizen)
    tokens = [city.token(officer) for officer in staff]
    consoles, memory = await opened(api, args.consoles, lambda n: open_console(f"{api.ws_url}/graphql", tokens[n]))
    rounds, trips, frame = [], [], ""
    async with httpx.AsyncClient(base_url=api.url, timeout=30) as client:
        for n in range(args.reports + 1):
            frames = next_frames(consoles)
            started = time.perf_counter()
            report, trip_ms = await submit_red_light(client, citizen_token, n, photos[n])
            trips.append(trip_ms)
            arrivals = await within_round(frames)
            frame = arrivals[0][1]
            submitted = {"reportSubmitted": report}
            if json.loads(frame or "{}") != {"id": "live", "type": "next", "payload": {"data": submitted}}:
                fail(f"a console heard {frame!r}, not the report submitted: {report}")
            check_same_frame(arrivals, frame)
            last_wall = max(at for at, _ in arrivals) + WALL_OFFSET
            from_commit_ms = (last_wall - await committed_at(report["id"])) * 1000
            rounds.append(
                dataclasses.replace(round_of(started, [at for at, _ in arrivals]), from_commit_ms=from_commit_ms)
            )
    for console in consoles:
        console.close()
    return Side(rounds[1:], memory), trips[1:], frame


async def committed_at(report_id: str) -> float:
    """When the submission's outbox row was written (epoch seconds): its transaction commits right after."""
    row = await OutboxEvent.get(report_id=report_id, kind=OutboxKind.SUBMITTED)
    return row.created_at.timestamp()


async def through_anchor(anchor: Server, frame: str, args: Any) -> Side:
    sockets, memory = await opened(anchor, args.consoles, lambda n: open_socket(f"{anchor.ws_url}/ws"))
    rounds = []
    async with httpx.AsyncClient(base_url=anchor.url, timeout=30) as client:
        if (await client.get("/consoles")).json() != args.consoles:
            fail("the anchor does not hold every socket")
        for _ in range(args.reports + 1):
            frames = next_frames(sockets)
            started = time.perf_counter()
            if (await client.post("/broadcast", content=frame.encode())).status_code != 204:
                fail("the anchor did not broadcast")
            arrivals = await within_round(frames)
            check_same_frame(arrivals, frame)
            rounds.append(round_of(started, [at for at, _ in arrivals]))
    for socket in sockets:
        socket.close()
    return Side(rounds[1:], memory)


def check_same_frame(arrivals: list[tuple[float, str]], frame: str) -> None:
    if different := [text for _, text in arrivals if text != frame]:
        fail(f"{len(different)} sockets got another frame than {frame!r}, e.g. {different[0]!r} (empty: closed)")


async def opened(server: Server, count: int, opening: Callable[[int], Awaitable[Socket]]) -> tuple[list[Socket], float]:
    """`count` sockets, and the server's memory per socket: measured from the second one, after the first has paid
    for whatever a server loads on its first socket."""
    sockets = [await opening(0)]
    before = server.rss_kib()
    for start in range(1, count, OPEN_AT_ONCE):
        sockets += await asyncio.gather(*(opening(n) for n in range(start, min(count, start + OPEN_AT_ONCE))))
    return sockets, (server.rss_kib() - before) / max(1, count - 1)


async def within_round(arrivals: asyncio.Future[list[tuple[float, str]]]) -> list[tuple[float, str]]:
    try:
        return await asyncio.wait_for(arrivals, ROUND_TIMEOUT_SECONDS)
    except TimeoutError:
        fail(f"some console did not hear a report within {ROUND_TIMEOUT_SECONDS} s")


def round_of(started: float, arrivals: list[float]) -> Round:
    return Round(median_ms=(statistics.median(arrivals) - started) * 1000, last_ms=(max(arrivals) - started) * 1000)


def table(args: Any, api: Side, anchor: Side, trips: list[float]) -> str:
    events = args.events_url.split(":")[0]
    return "\n".join(
        [
            f"| {args.consoles:,} consoles of PC08, {args.workers} worker{'s' if args.workers > 1 else ''}, {events} "
            f"events, {args.db}, {args.reports} reports | this API | raw websocket broadcast, same bytes | ratio |",
            "| --- | ---: | ---: | ---: |",
            f"| last console, p50 | {api.last(50):.0f} ms | {anchor.last(50):.0f} ms | "
            f"{api.last(50) / anchor.last(50):.1f} |",
            f"| last console, p99 | {api.last(99):.0f} ms | {anchor.last(99):.0f} ms | "
            f"{api.last(99) / anchor.last(99):.1f} |",
            f"| last console from the commit, p50 | {api.from_commit(50):.0f} ms | {anchor.last(50):.0f} ms | "
            f"{api.from_commit(50) / anchor.last(50):.1f} |",
            f"| last console from the commit, p99 | {api.from_commit(99):.0f} ms | {anchor.last(99):.0f} ms | "
            f"{api.from_commit(99) / anchor.last(99):.1f} |",
            f"| median console, p50 | {api.median():.0f} ms | {anchor.median():.0f} ms | |",
            f"| submitReport round trip, p50 (included above) | {percentile(trips, 50):.0f} ms | | |",
            f"| server memory per idle console | {api.memory_per_console_kib:.0f} KiB | "
            f"{anchor.memory_per_console_kib:.0f} KiB | |",
        ]
    )


async def main() -> None:
    described = parser(__doc__)
    described.add_argument("--consoles", type=int, default=1000)
    described.add_argument("--reports", type=int, default=20)
    described.add_argument("--workers", type=int, default=1)
    described.add_argument("--events-url", default="memory://")
    described.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    add_cpu_arguments(described)
    args = described.parse_args()
    if args.smoke:
        args.consoles, args.reports = 3, 2
    if args.workers > 1 and args.events_url.startswith("memory:"):
        fail("several workers share events through Redis only: add --events-url redis://127.0.0.1:6379/0")
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # two sockets per console, servers included
    if hard < 2 * args.consoles + 100:
        fail(f"{args.consoles} consoles need about {2 * args.consoles + 100} open files; `ulimit -n` allows {hard}")
    with tempfile.TemporaryDirectory(prefix="phananh-bench-live-") as tmp:
        var = Path(tmp)
        async with (
            scratch_city(args.db, args.pg_url, var, events_url=args.events_url) as city,
            serving("the API", API, city.env, var / "api.log", workers=args.workers, cpus=args.server_cpus) as api,
            serving(
                "the anchor", "bench.anchors.broadcast_app:app", city.env, var / "anchor.log", cpus=args.server_cpus
            ) as anchor,
        ):
            pin_this_process(args.load_cpus)
            api_side, trips, frame = await through_api(api, city, args)
            anchor_side = await through_anchor(anchor, frame, args)
    print(machine())
    print(f"servers on CPUs {args.server_cpus or 'any'}, clients on {args.load_cpus or 'any'}")
    if args.smoke:
        print(SMOKE_NOTE)
    print(table(args, api_side, anchor_side, trips))


if __name__ == "__main__":
    run(main())
