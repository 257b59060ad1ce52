"""Log lines as an operator reads them: a clear refusal of a bad LOG_LEVEL or LOG_FORMAT, readable text lines in dev
with the time, level, logger and request id, and one access line per request (JSON lines: `test_metrics`)."""

from __future__ import annotations

import json
import logging
import re
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.logs import JsonFormatter, TextFormatter
from core.request_id import request_id_scope
from tests.helpers.servers import run, server_env

TEXT_ACCESS_LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO phananh\.access \[text-7\] POST /graphql 200 [\d.]+ ms Wards "
    r"role=ANONYMOUS$"
)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LOG_LEVEL": "verbose"}, "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not 'VERBOSE'"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT must be json or text, not 'xml'"),
    ],
)
def test_a_bad_log_setting_is_refused_with_a_clear_error(
    env: dict[str, str], message: str, database_url: str, tmp_path: Path
) -> None:
    done = run(["phananh", "serve"], server_env({"DATABASE_URL": database_url, "VAR_DIR": str(tmp_path), **env}))
    assert done.returncode == 2
    assert done.stderr.strip() == f"configuration error: {message}"


async def test_dev_lines_are_text_with_time_level_logger_and_request_id(run_server: Any) -> None:
    server = run_server({"LOG_LEVEL": "INFO", "LOG_FORMAT": "text"})
    async with httpx.AsyncClient(base_url=server.url) as http:
        answer = await http.post(
            "/graphql", json={"query": "query Wards { wards { code } }"}, headers={"X-Request-ID": "text-7"}
        )
    assert answer.status_code == 200
    server.stop()
    lines = server.log.read_text().splitlines()
    assert [line for line in lines if TEXT_ACCESS_LINE.match(line)], lines
    assert not [line for line in lines if '"POST /graphql HTTP/1.1"' in line], "uvicorn's own access log is off"


def _record(message: str, **extra: Any) -> logging.LogRecord:
    try:
        raise ValueError("boom")
    except ValueError:
        return logging.getLogger("phananh.test").makeRecord(
            "phananh.test", logging.ERROR, __file__, 1, message, (), sys.exc_info(), extra=extra
        )


def test_a_json_line_holds_the_request_id_and_the_traceback_in_one_line() -> None:
    with request_id_scope("req-9"):
        line = JsonFormatter().format(_record("it broke", fields={"status": 500, "operation": None}))
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["request_id"] == "req-9"
    assert parsed["level"] == "ERROR"
    assert parsed["logger"] == "phananh.test"
    assert parsed["status"] == 500
    assert "operation" not in parsed
    assert "ValueError: boom" in parsed["exception"]


def test_a_text_line_outside_a_request_says_so() -> None:
    line = TextFormatter().format(_record("it broke"))
    assert re.match(r"^\S+Z ERROR phananh\.test \[-\] it broke\nTraceback", line)
