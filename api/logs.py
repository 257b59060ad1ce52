"""One logging setup for every process: `phananh serve` hands it to uvicorn (`log_config`), which applies it in each
worker it starts, and the other commands apply it themselves. Before, `logging.basicConfig` ran only in uvicorn's
parent, so with `--workers 2` the workers' lines lost their time, level and logger, and INFO lines were dropped.

Every line has the time (UTC, ISO 8601), the level, the logger, the process id and the request id (`-` outside a
request). `LOG_FORMAT=json` writes one JSON object per line (production); `text` writes lines for people (dev). The
access line of `api.access` adds its fields (method, path, status, duration, operation, role) to both.
"""

from __future__ import annotations

import json
import logging
import logging.config
import os
from datetime import UTC, datetime
from typing import Any

from core.request_id import current_request_id
from core.settings import Settings


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields = getattr(record, "fields", None)
    return fields if isinstance(fields, dict) else {}


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for a log collector: no line breaks inside, tracebacks in `exception`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": current_request_id(),
            "pid": os.getpid(),
            **{key: value for key, value in _fields(record).items() if value is not None},
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`2026-12-02T02:50:00.123Z INFO phananh.access [3f2a...] POST /graphql 200 12.5 ms ReportList role=CITIZEN`."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{_timestamp(record)} {record.levelname} {record.name} [{current_request_id()}] {record.getMessage()}"
        role = _fields(record).get("role")
        if role:
            line = f"{line} role={role}"
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line


def logging_config(settings: Settings) -> dict[str, Any]:
    """A `logging.config.dictConfig` document. uvicorn's own loggers write through the same handler; its access log
    is off (`api.access` writes a better one); Tortoise and asyncpg's pool say only what goes wrong."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": f"{__name__}.JsonFormatter"},
            "text": {"()": f"{__name__}.TextFormatter"},
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": settings.log_format,
            }
        },
        "root": {"handlers": ["default"], "level": settings.log_level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True, "level": settings.log_level},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": settings.log_level},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            "tortoise": {"level": "WARNING"},
            # asyncpg's pool logs a traceback at each try to reopen connections while the database is away; the
            # relay's and readiness' own lines say it once when it goes and once when it returns.
            "asyncpg.pool": {"level": "ERROR"},
        },
    }


def configure_logging(settings: Settings) -> None:
    """For the commands that are not the server (`migrate`, `relay`, `send-notifications`...)."""
    logging.config.dictConfig(logging_config(settings))
