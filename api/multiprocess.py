"""The metrics directory shared by `phananh serve`'s workers: prometheus-client's multiprocess mode.

Not a setting but a hand-over between processes: prometheus-client reads `PROMETHEUS_MULTIPROC_DIR` when it is first
imported, so the command sets it in its own environment, which each worker inherits, before uvicorn starts any; a
fresh empty directory each time, since counts left by an earlier run would be added to this one's. This module and
`core.settings` are the only ones that touch the environment (`tests/contract/test_layers.py`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def metrics_directory() -> Iterator[str]:
    """A new empty directory named in the environment while the block runs, removed afterwards."""
    directory = tempfile.mkdtemp(prefix="phananh-metrics-")
    previous = os.environ.get(VARIABLE)
    os.environ[VARIABLE] = directory
    try:
        yield directory
    finally:
        if previous is None:
            os.environ.pop(VARIABLE, None)
        else:
            os.environ[VARIABLE] = previous
        shutil.rmtree(directory, ignore_errors=True)


def current_directory() -> str | None:
    """The directory `phananh serve` made for this process's server, if it was started that way."""
    return os.environ.get(VARIABLE) or None
