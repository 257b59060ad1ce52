"""The few threads that decode evidence, so that checking many uploads at once costs a bounded amount of memory.

A photo holds a few bytes per pixel while it is decoded, and a video a copy of itself while its metadata is blanked.
Run on `asyncio.to_thread`, six large photos arriving together were decoded together (3.4 GB). Here at most `workers`
jobs run at a time; the others wait their turn holding only their file's bytes.

After each job the C allocator is asked to give freed memory back to the system (glibc's `malloc_trim`; where the C
library has none, as on musl or macOS, nothing is done). Pillow frees its pixels, but glibc keeps what its per-thread
arenas freed, and the process would otherwise stay at its peak for good.
"""

from __future__ import annotations

import asyncio
import ctypes
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class Decoder:
    """A dedicated pool of `workers` threads. Its threads start on first use and end when it is dropped."""

    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="media-decode")
        self._trim: Callable[[int], int] | None = getattr(ctypes.CDLL(None), "malloc_trim", None)

    async def run(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`work(*args, **kwargs)` on one of the pool's threads, once one is free."""
        job = partial(self._returning_memory, partial(work, *args, **kwargs))
        return await asyncio.get_running_loop().run_in_executor(self._pool, job)

    def _returning_memory(self, job: Callable[[], T]) -> T:
        try:
            return job()
        finally:
            if self._trim is not None:
                self._trim(0)
