"""The README's staff intake example, run as a console developer would paste it: the Record operation and its
variables verbatim, the `<...>` placeholders filled in as the README says."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from tests.helpers.factories import Caller, make_media
from tests.helpers.graphql import gql, only_data
from tests.helpers.servers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _section() -> str:
    start = README.index("\n### Staff intake (hotline, walk-in, post)\n")
    return README[start : README.index("\n### ", start + 1)]


async def test_the_readme_example_records_a_report(client: httpx.AsyncClient, officer: Caller) -> None:
    (block,) = re.findall(r"```graphql\n(.*?)```", _section(), re.DOTALL)
    document = "\n".join(line for line in block.splitlines() if not line.startswith("#"))
    written = "\n".join(line[2:] for line in block.splitlines() if line.startswith("# "))
    fills = {
        "<a fresh UUID>": str(uuid.uuid4()),
        "<media id>": str((await make_media(officer.user)).id),
        "<when it happened, e.g. 2026-11-23T08:30:00+07:00>": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
    }
    for placeholder, value in fills.items():
        written = written.replace(placeholder, value)
    assert "<" not in written, written
    recorded = only_data(await gql(client, document, json.loads(written), officer.token))["recordReport"]
    assert recorded["status"] == "ROUTED"
    assert recorded["provider"]["phone"] == "+84912345678"
    assert recorded["provider"]["answer"] == "SMS"
