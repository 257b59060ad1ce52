"""A page's photos and decisions read with the page (`PageRelations`): the same answer as one report at a time, for
every way an operation can ask for them, and the same statements whatever the page size."""

from __future__ import annotations

from typing import Any

import httpx

from models.decisions import Decision
from models.enums import DecisionOutcome
from tests.helpers.factories import Caller, make_media, make_report
from tests.helpers.graphql import gql, only_data
from tests.helpers.query_count import count_queries

RELATIONS = "media { id kind } decisions { id outcome note decidedAt }"
REPORT = f"query($id: ID!) {{ report(id: $id) {{ id {RELATIONS} }} }}"
DIRECT = f"query($first: Int) {{ reports(first: $first) {{ edges {{ node {{ id {RELATIONS} }} }} }} }}"
FRAGMENTS = """
query($first: Int) {
  reports(first: $first) { edges { ...Edge } }
}
fragment Edge on ReportEdge { node { id ... on Report { photos: media { id kind } } ...Decided } }
fragment Decided on Report { decisions { id outcome note decidedAt } }
"""
ONLY_MEDIA = "query($first: Int) { reports(first: $first) { edges { node { id media { id kind } } } } }"


async def _populate(citizen: Caller, officer: Caller, count: int) -> None:
    for i in range(count):
        report = await make_report(citizen.user)
        for _ in range(i % 3):
            await make_media(citizen.user, report=report)
        for n in range(i % 2 + 1):
            await Decision.create(
                report=report,
                outcome=DecisionOutcome.ACCEPT if n == 0 else DecisionOutcome.REJECT,
                decided_by=officer.user,
                decided_at=report.submitted_at,
                note=f"note {i}-{n}",
            )


def _nodes(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in only_data(body)["reports"]["edges"]]


async def test_a_page_answers_as_each_report_does(client: httpx.AsyncClient, citizen: Caller, officer: Caller) -> None:
    await _populate(citizen, officer, 8)
    one_by_one = [
        only_data(await gql(client, REPORT, {"id": node["id"]}, officer.token))["report"]
        for node in _nodes(await gql(client, DIRECT, {"first": 20}, officer.token))
    ]
    assert any(node["media"] for node in one_by_one)
    assert any(len(node["decisions"]) == 2 for node in one_by_one)
    assert _nodes(await gql(client, DIRECT, {"first": 20}, officer.token)) == one_by_one
    renamed = [{"id": node["id"], "photos": node["media"], "decisions": node["decisions"]} for node in one_by_one]
    assert _nodes(await gql(client, FRAGMENTS, {"first": 20}, officer.token)) == renamed
    media_only = [{"id": node["id"], "media": node["media"]} for node in one_by_one]
    assert _nodes(await gql(client, ONLY_MEDIA, {"first": 20}, officer.token)) == media_only


async def test_statements_do_not_grow_with_the_page(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller
) -> None:
    await _populate(citizen, officer, 12)
    await gql(client, DIRECT, {"first": 1}, officer.token)
    counts = []
    for query in (DIRECT, FRAGMENTS):
        for size in (2, 12):
            with count_queries() as log:
                assert len(_nodes(await gql(client, query, {"first": size}, officer.token))) == size
            counts.append(log.count)
    # The account, the page, its photos and its decisions.
    assert counts == [4, 4, 4, 4], counts
