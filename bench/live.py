"""How long a new report takes to reach every live console: hundreds of `graphql-transport-ws` sockets on a real
`phananh serve`, one report at a time, timed from sending `submitReport` to the last console's `next` frame.

    .venv/bin/python -m bench.live [--consoles 300] [--reports 10] [--events-url memory://|redis://...] [--workers 1]

It builds a throwaway SQLite database (or uses `--database-url`), starts the server on a free port of 127.0.0.1,
and stops it afterwards. With `--workers 2` use Redis: consoles are spread over both uvicorn workers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from api.db import close_db, init_db, migrate
from api.signin import token_codec
from auth.principal import Principal
from core.settings import Settings
from models.agencies import Agency
from models.enums import MediaKind, MediaStatus, Role
from models.media import Media
from models.users import User
from services.reference.seed import seed_reference_data

HANOI = timezone(timedelta(hours=7))
SUBSCRIBE = "subscription { reportSubmitted { id code } }"
SUBMIT = """
mutation($input: SubmitReportInput!, $key: String!) { submitReport(input: $input, idempotencyKey: $key) { id } }
"""
TIME_LIMIT_SECONDS = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def prepare(settings: Settings, consoles: int) -> tuple[User, list[str], str]:
    """A citizen and `consoles` officers of PC08 (where a red-light report at Hoàn Kiếm goes), with tokens."""
    await migrate(settings)
    await init_db(settings)
    await seed_reference_data()
    codec = token_codec(settings)
    agency = await Agency.get(code="PC08")
    officers = [
        await User.create(role=Role.OFFICER, username=f"bench-{uuid.uuid4().hex[:8]}", agency=agency)
        for _ in range(consoles)
    ]
    citizen = await User.create(role=Role.CITIZEN, phone=f"09{uuid.uuid4().int % 10**8:08d}")
    tokens = [codec.issue(Principal(u.id, u.role, u.agency_id)).token for u in officers]
    citizen_token = codec.issue(Principal(citizen.id, citizen.role, None)).token
    return citizen, tokens, citizen_token


async def open_console(url: str, token: str) -> ClientConnection:
    ws = await connect(url, subprotocols=[Subprotocol("graphql-transport-ws")], proxy=None, open_timeout=30)
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "live", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
    await ws.send(json.dumps({"id": "sync", "type": "subscribe", "payload": {"query": "{ __typename }"}}))
    while json.loads(await ws.recv()) != {"id": "sync", "type": "complete"}:
        pass
    return ws


async def heard_at(ws: ClientConnection, report_id: str) -> float:
    while True:
        message = json.loads(await ws.recv())
        if message.get("type") == "next" and message["payload"]["data"]["reportSubmitted"]["id"] == report_id:
            return time.perf_counter()


async def submit(client: httpx.AsyncClient, citizen: User, token: str, n: int) -> tuple[float, str]:
    media = await Media.create(
        owner=citizen,
        status=MediaStatus.READY,
        kind=MediaKind.PHOTO,
        content_type="image/jpeg",
        declared_size_bytes=1000,
        object_key=f"bench/{uuid.uuid4()}.jpg",
    )
    report = {
        "categoryCode": "RED_LIGHT",
        "description": f"Vượt đèn đỏ, lần {n}",
        "occurredAt": (datetime.now(UTC) - timedelta(minutes=30)).astimezone(HANOI).isoformat(),
        "location": {"latitude": 21.0287, "longitude": 105.8524},
        "plateNumber": f"29A{20000 + n}",
        "mediaIds": [str(media.id)],
        "channel": "ZALO",
    }
    started = time.perf_counter()
    response = await client.post(
        "/graphql",
        json={"query": SUBMIT, "variables": {"input": report, "key": str(uuid.uuid4())}},
        headers={"Authorization": f"Bearer {token}"},
    )
    body = response.json()
    assert "errors" not in body, body
    return started, str(body["data"]["submitReport"]["id"])


async def measure(args: argparse.Namespace, var: Path) -> list[tuple[float, float]]:
    database_url = args.database_url or f"sqlite://{var / 'bench.sqlite3'}"
    settings = Settings.from_env({"APP_ENV": "test", "DATABASE_URL": database_url, "VAR_DIR": str(var)})
    citizen, tokens, citizen_token = await prepare(settings, args.consoles)
    port = free_port()
    env = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": database_url,
        "VAR_DIR": str(var),
        "EVENTS_URL": args.events_url,
        "EVENTS_CHANNEL": f"bench-{uuid.uuid4().hex[:8]}",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    with (var / "server.log").open("wb") as log:
        server = await asyncio.create_subprocess_exec(
            "phananh", "serve", "--workers", str(args.workers), env=env, stdout=log, stderr=asyncio.subprocess.STDOUT
        )
    try:
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            await wait_until_up(client)
            consoles: list[ClientConnection] = []
            for start in range(0, len(tokens), 50):
                consoles += await asyncio.gather(
                    *(open_console(f"ws://127.0.0.1:{port}/graphql", t) for t in tokens[start : start + 50])
                )
            rounds = []
            for n in range(args.reports):
                started, report_id = await submit(client, citizen, citizen_token, n)
                arrivals = await asyncio.gather(*(heard_at(ws, report_id) for ws in consoles))
                rounds.append((statistics.median(arrivals) - started, max(arrivals) - started))
            for ws in consoles:
                await ws.close()
            return rounds
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), 10)
        await close_db()


async def wait_until_up(client: httpx.AsyncClient) -> None:
    for _ in range(150):
        try:
            if (await client.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit("the server did not start")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--consoles", type=int, default=300)
    parser.add_argument("--reports", type=int, default=10)
    parser.add_argument("--events-url", default="memory://")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", default="")
    return parser.parse_args()


async def main() -> None:
    args = arguments()
    with tempfile.TemporaryDirectory(prefix="phananh-live-") as tmp:
        async with asyncio.timeout(TIME_LIMIT_SECONDS):
            rounds = await measure(args, Path(tmp))
    medians = [m * 1000 for m, _ in rounds]
    lasts = [last * 1000 for _, last in rounds]
    print("| consoles | workers | events | reports | median console (ms) | last console p50 (ms) | last max (ms) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print(
        f"| {args.consoles} | {args.workers} | {args.events_url.split(':')[0]} | {args.reports} | "
        f"{statistics.median(medians):.0f} | {statistics.median(lasts):.0f} | {max(lasts):.0f} |"
    )


if __name__ == "__main__":
    asyncio.run(main())
