"""The README's report examples, run as a reader would paste them: the Submit operation with its variables (the
`<...>` placeholders filled in as the README says, everything else verbatim), then the workflow block's operations in
the order written. Run in a world 60 days from now, so that a hard-coded `occurredAt` (accepted for only 30 days) fails
today rather than a month after it was written, and a PENALIZE the workflow does not allow yet (straight after an
assignment, without ACCEPT) fails as CONFLICT."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from graphql import OperationDefinitionNode, parse, print_ast

from core import clock
from tests.helpers.factories import Caller, make_media
from tests.helpers.graphql import gql, only_data
from tests.helpers.servers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
PLACEHOLDER = re.compile(r"<[^<>]+>")


def section(title: str) -> str:
    start = README.index(f"\n### {title}\n")
    end = README.find("\n### ", start + 1)
    return README[start:end]


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def operations(block: str) -> dict[str, str]:
    """Each named operation of a block, as a document of its own."""
    return {
        node.name.value: print_ast(node)
        for node in parse(block).definitions
        if isinstance(node, OperationDefinitionNode) and node.name is not None
    }


def filled(value: Any, fill: dict[str, Any], key: str = "") -> Any:
    """The README's variables with each `<...>` placeholder replaced by what the reader would put there."""
    if isinstance(value, dict):
        return {name: filled(item, fill, name) for name, item in value.items()}
    if isinstance(value, list):
        return [filled(item, fill, key) for item in value]
    if isinstance(value, str) and PLACEHOLDER.fullmatch(value):
        return fill[key]
    return value


@pytest.fixture
def sixty_days_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime.now(UTC) + timedelta(days=60))


async def test_the_readme_report_examples_work_as_pasted(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller, agency_admin: Caller, sixty_days_on: None
) -> None:
    submitting = section("Submitting (citizen apps)")
    submit = operations(blocks(submitting, "graphql")[0])["Submit"]
    variables = json.loads(blocks(submitting, "json")[0])
    media = await make_media(citizen.user)
    fill = {"occurredAt": (clock.now() - timedelta(minutes=10)).isoformat(), "mediaIds": str(media.id)}
    report = only_data(await gql(client, submit, filled(variables, fill), citizen.token))["submitReport"]
    assert report["agency"]["code"] == "PC08"

    workflow = operations(blocks(section("The workflow (agency consoles)"), "graphql")[0])
    steps = [("Assign", agency_admin, {"officer": str(officer.user.id)})]
    steps += [(name, officer, {}) for name in workflow if name not in ("Assign", "Transfer")]
    assert steps[-1][0] == "Decide"
    for name, caller, extra in steps:
        body = await gql(client, workflow[name], {"id": report["id"], **extra}, caller.token)
        assert "errors" not in body, (name, body["errors"])
    assert body["data"]["decideReport"]["status"] == "PENALIZED"
