"""The GraphQL over HTTP specification's own audit (`graphql-http`'s `auditServer`, pinned in tests/http_audit/)
against a real `phananh serve`: every MUST and every SHOULD passes. Needs Node and `make http-audit-deps` (which
`make test` runs); skipped outside CI without them, a failure under CI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.servers import REPO, Server

AUDIT_DIR = REPO / "tests" / "http_audit"


def _node_or_skip() -> str:
    node = shutil.which("node")
    missing = (
        "node is not installed"
        if node is None
        else "run `make http-audit-deps` (npm ci in tests/http_audit)"
        if not (AUDIT_DIR / "node_modules" / "graphql-http").is_dir()
        else None
    )
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the GraphQL over HTTP audit cannot run under CI: {missing}")
        pytest.skip(missing)
    assert node is not None
    return node


def audit(node: str, url: str) -> list[dict[str, object]]:
    done = subprocess.run(
        [node, str(AUDIT_DIR / "audit.mjs"), url], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def test_every_must_and_should_of_graphql_over_http(run_server: Callable[..., Server], tmp_path: Path) -> None:
    node = _node_or_skip()
    server = run_server(migrate=False)
    results = audit(node, f"{server.url}/graphql")
    assert len(results) > 50
    failed = [r for r in results if str(r["name"]).startswith(("MUST", "SHOULD")) and r["status"] != "ok"]
    assert not failed, json.dumps(failed, indent=1, ensure_ascii=False)
