"""One dependency as one process sees it: up, or away since when; and how long to wait before trying it again.

An outage used to be logged on every retry (two warnings a second from the Redis reader, a traceback every 200 ms
from the relay with the database down). Now each dependency is one `Outage`: its first failure logs one line, the
first success after it logs one more ("back after N s"), and the retries in between wait longer and longer
(exponential backoff from `FIRST_DELAY_SECONDS` to `MAX_DELAY_SECONDS`, with jitter so that the workers and replicas
of a deployment do not all knock at the same moment when the dependency returns).
"""

from __future__ import annotations

import logging
import random
import time

FIRST_DELAY_SECONDS = 0.1
MAX_DELAY_SECONDS = 5.0


class Outage:
    def __init__(
        self,
        logger: logging.Logger,
        what: str,
        *,
        first_delay: float = FIRST_DELAY_SECONDS,
        max_delay: float = MAX_DELAY_SECONDS,
    ) -> None:
        self._logger = logger
        self.what = what
        self._first_delay = first_delay
        self._max_delay = max_delay
        self._failures = 0
        self._since = 0.0

    @property
    def down(self) -> bool:
        return self._failures > 0

    def failed(self, exc: BaseException) -> float:
        """Note a failure; return how many seconds to wait before the next try. Logs only the first of a series."""
        if not self.down:
            self._since = time.monotonic()
            self._logger.warning("%s unavailable (%s); retrying with backoff", self.what, exc.__class__.__name__)
        self._failures += 1
        delay = min(self._max_delay, self._first_delay * 2 ** min(self._failures - 1, 30))
        return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not a secret

    def recovered(self) -> None:
        """Note a success; logs once when it ends an outage."""
        if self.down:
            self._logger.warning("%s is back after %.1f s", self.what, time.monotonic() - self._since)
        self._failures = 0
