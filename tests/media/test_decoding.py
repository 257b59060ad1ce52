"""Checking many photos at once costs a bounded amount of memory, measured on a real `phananh serve` process.

Pillow allocates pixels in C, out of sight of tracemalloc, so the server's own counters are read: `VmHWM` (its peak
resident memory) and `VmRSS` (what it holds now) from /proc. Six uploads arrive at once from six citizens, through the
GraphQL multipart endpoint a frontend uses.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from auth.tokens import TokenCodec
from models.enums import Role
from services.media.rules import DECODE_BYTES_PER_PIXEL, MAX_PIXELS_PER_BYTE
from tests.helpers.factories import Caller, make_caller
from tests.helpers.graphql import assert_refused, only_data
from tests.helpers.media_calls import upload_multipart
from tests.helpers.media_files import flat_png, large_png, photo
from tests.helpers.servers import Server

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the server's memory from /proc")

MB = 1024 * 1024
SIDE = 6300  # 39.7 million pixels: just under the default MAX_IMAGE_PIXELS of 40 million
WORKERS = 2
DISPLAY_COPIES_BYTES = 60 * MB  # what each decode adds at display size, beside its budget per pixel
# What the server may allocate beside the decoders during a burst: request bodies, responses, the ORM.
SLACK_BYTES = 64 * MB


@dataclass(frozen=True)
class Memory:
    now: int
    peak: int


def memory_of(server: Server) -> Memory:
    fields = {}
    with open(f"/proc/{server.process.pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) * 1024
    return Memory(now=fields["VmRSS"], peak=fields["VmHWM"])


async def six_citizens(codec: TokenCodec) -> list[Caller]:
    return [await make_caller(codec, Role.CITIZEN, phone=f"09876543{n:02d}") for n in range(6)]


async def upload_at_once(server: Server, callers: list[Caller], data: bytes) -> tuple[Memory, list[dict[str, Any]]]:
    """Warm the server up with one small photo, then send `data` once per caller, all at the same time; return the
    server's memory just before the burst and the six answers."""
    async with httpx.AsyncClient(base_url=server.url, timeout=120) as http:
        warm_up = await upload_multipart(http, callers[0].token, photo(size=(64, 64)), "image/jpeg")
        assert only_data(warm_up.json())["uploadMedia"]["status"] == "READY"
        before = memory_of(server)
        responses = await asyncio.gather(
            *(upload_multipart(http, caller.token, data, "image/png", "evidence.png") for caller in callers)
        )
    return before, [response.json() for response in responses]


async def test_tiny_files_claiming_huge_canvases_are_refused_before_decoding(
    run_server: Callable[..., Server], codec: TokenCodec
) -> None:
    server = run_server(migrate=False)
    bomb = flat_png(SIDE, SIDE)
    assert len(bomb) < 40_000

    before, bodies = await upload_at_once(server, await six_citizens(codec), bomb)

    for body in bodies:
        assert_refused(body, "UNSUPPORTED_MEDIA_TYPE", field="file", maxPixelsPerByte=MAX_PIXELS_PER_BYTE)
    assert memory_of(server).peak - before.now < SLACK_BYTES


async def test_six_large_photos_at_once_are_decoded_within_the_bound_and_the_memory_returned(
    run_server: Callable[..., Server], codec: TokenCodec
) -> None:
    server = run_server({"MEDIA_DECODE_WORKERS": str(WORKERS)}, migrate=False)
    data = large_png(SIDE, SIDE)

    before, bodies = await upload_at_once(server, await six_citizens(codec), data)

    for body in bodies:
        media = only_data(body)["uploadMedia"]
        assert (media["status"], media["width"], media["height"]) == ("READY", SIDE, SIDE)
    bound = WORKERS * (DECODE_BYTES_PER_PIXEL * SIDE * SIDE + DISPLAY_COPIES_BYTES) + SLACK_BYTES
    assert memory_of(server).peak - before.now < bound
    assert memory_of(server).now - before.now < SLACK_BYTES
