"""Whether a dependency of the sender (the provider, the database) is there, told in two log lines per outage.

Before, every round of an outage logged (a full traceback when the database was down, a warning per message when
Zalo was): one line when it goes away and one when it returns say the same. Meanwhile the sender waits longer and
longer between rounds (exponential, capped, with jitter so that the workers of every replica do not retry in step).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable


class Availability:
    def __init__(self, name: str, logger: logging.Logger) -> None:
        self.name = name
        self.logger = logger
        self.failures = 0
        self.down_since: float | None = None

    def failed(self, reason: str) -> None:
        self.failures += 1
        if self.down_since is None:
            self.down_since = time.monotonic()
            self.logger.warning("%s is unavailable (%s); retrying with backoff", self.name, reason)

    def succeeded(self) -> None:
        if self.down_since is not None:
            self.logger.warning("%s is available again after %.0f s", self.name, time.monotonic() - self.down_since)
        self.failures = 0
        self.down_since = None


def backoff_seconds(
    base: float, cap: float, *dependencies: Availability, jitter: Callable[[], float] = random.random
) -> float:
    """`base` while every dependency is there; else `base` doubled per failed round of the longest outage, at most
    `cap`, times a random factor between 0.5 and 1."""
    failures = max((dependency.failures for dependency in dependencies), default=0)
    if failures == 0:
        return base
    return min(cap, base * 2 ** min(failures - 1, 20)) * (0.5 + jitter() / 2)
