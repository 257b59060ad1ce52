"""Relay paging as Apollo Client's `relayStylePagination` drives it: real requests in the shape Apollo sends
(`operationName`, `__typename` everywhere, variables without the absent ones), forwards and backwards, with the
cursors each page hands out round-tripping into the next request, merged the way the field policy merges them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.helpers.factories import Caller, make_report
from tests.helpers.graphql import assert_refused, only_data
from tests.helpers.query_count import count_queries

# What an app writes (`reports(first, after, last, before)`), as Apollo's cache sends it: `__typename` added to every
# selection set.
FEED = """
query Feed($first: Int, $after: String, $last: Int, $before: String) {
  reports(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id code __typename } __typename }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }
    __typename
  }
}
"""
MINE = """
query Mine($first: Int, $after: String, $last: Int, $before: String) {
  myReports(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id __typename } __typename }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }
    __typename
  }
}
"""
AUDIT = """
query Audit($first: Int, $after: String, $last: Int, $before: String) {
  auditLog(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
OVERDUE = """
query Overdue($id: ID!, $last: Int, $before: String) {
  agency(id: $id) {
    overdueReports(last: $last, before: $before) {
      edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""


async def apollo(
    client: httpx.AsyncClient, operation: str | None, query: str, variables: dict[str, Any], token: str
) -> Any:
    """One request as Apollo's HttpLink sends it: JSON with the operation's name, absent variables left out."""
    response = await client.post(
        "/graphql",
        json={
            "operationName": operation,
            "variables": {k: v for k, v in variables.items() if v is not None},
            "query": query,
        },
        headers={"Authorization": f"Bearer {token}", "accept": "application/graphql-response+json,application/json"},
    )
    return response.json()


def merge(existing: list[dict[str, Any]], incoming: list[dict[str, Any]], args: dict[str, Any]) -> list[dict[str, Any]]:
    """The edge merge of `relayStylePagination` (`@apollo/client/utilities/policies/pagination`): a page `after` a
    cursor goes after that edge, a page `before` a cursor goes before it, a page without either replaces the list."""
    prefix, suffix = existing, []
    if args.get("after"):
        index = next(i for i, edge in enumerate(prefix) if edge["cursor"] == args["after"])
        prefix, suffix = prefix[: index + 1], []
    elif args.get("before"):
        index = next(i for i, edge in enumerate(prefix) if edge["cursor"] == args["before"])
        prefix, suffix = [], prefix[index:]
    else:
        prefix = []
    return prefix + incoming + suffix


async def reports_at_distinct_and_shared_instants(citizen: Caller, count: int) -> list[str]:
    base = datetime.now(UTC)
    made = [await make_report(citizen.user, submitted_at=base - timedelta(minutes=i // 2)) for i in range(count)]
    return [str(r.id) for r in sorted(made, key=lambda r: (r.submitted_at, str(r.id)), reverse=True)]


@pytest.mark.parametrize(("field", "operation", "query"), [("reports", "Feed", FEED), ("myReports", "Mine", MINE)])
async def test_apollo_walks_forwards_then_backwards(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller, field: str, operation: str, query: str
) -> None:
    newest_first = await reports_at_distinct_and_shared_instants(citizen, 11)
    token = officer.token if field == "reports" else citizen.token

    # Forwards: the first page, then `fetchMore({variables: {after: endCursor}})` until hasNextPage is false.
    args: dict[str, Any] = {"first": 4}
    edges: list[dict[str, Any]] = []
    infos = []
    while True:
        page = only_data(await apollo(client, operation, query, args, token))[field]
        assert page["__typename"] == "ReportConnection"
        assert page["pageInfo"]["__typename"] == "PageInfo"
        edges = merge(edges, page["edges"], args)
        infos.append(page["pageInfo"])
        if page["edges"]:
            assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
            assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        args = {"first": 4, "after": page["pageInfo"]["endCursor"]}
    assert [edge["node"]["id"] for edge in edges] == newest_first
    assert [(i["hasPreviousPage"], i["hasNextPage"]) for i in infos] == [(False, True), (True, True), (True, False)]

    # Backwards: `last` from the end, then `fetchMore({variables: {before: startCursor}})` until hasPreviousPage is
    # false. Every page still lists newest first.
    args = {"last": 4}
    edges, infos = [], []
    while True:
        page = only_data(await apollo(client, operation, query, args, token))[field]
        ids = [edge["node"]["id"] for edge in page["edges"]]
        assert ids == [i for i in newest_first if i in ids]
        edges = merge(edges, page["edges"], args)
        infos.append(page["pageInfo"])
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        args = {"last": 4, "before": page["pageInfo"]["startCursor"]}
    assert [edge["node"]["id"] for edge in edges] == newest_first
    assert [(i["hasPreviousPage"], i["hasNextPage"]) for i in infos] == [(True, False), (True, True), (False, True)]


async def test_both_cursors_bound_a_window(client: httpx.AsyncClient, citizen: Caller, officer: Caller) -> None:
    newest_first = await reports_at_distinct_and_shared_instants(citizen, 8)
    first = only_data(await apollo(client, "Feed", FEED, {"first": 8}, officer.token))["reports"]["edges"]
    window = {"after": first[1]["cursor"], "before": first[6]["cursor"]}
    forwards = only_data(await apollo(client, "Feed", FEED, {"first": 10, **window}, officer.token))["reports"]
    backwards = only_data(await apollo(client, "Feed", FEED, {"last": 2, **window}, officer.token))["reports"]
    assert [edge["node"]["id"] for edge in forwards["edges"]] == newest_first[2:6]
    assert [edge["node"]["id"] for edge in backwards["edges"]] == newest_first[4:6]
    assert backwards["pageInfo"]["hasPreviousPage"] is True
    assert backwards["pageInfo"]["hasNextPage"] is True


async def test_every_connection_pages_backwards(
    client: httpx.AsyncClient, citizen: Caller, agency_admin: Caller, admin: Caller
) -> None:
    now = datetime.now(UTC)
    late = [await make_report(citizen.user, submitted_at=now - timedelta(minutes=i), due_at=now) for i in range(3)]
    pc08 = str(late[0].agency_id)
    body = await apollo(client, "Overdue", OVERDUE, {"id": pc08, "last": 2}, agency_admin.token)
    page = only_data(body)["agency"]["overdueReports"]
    assert [edge["node"]["id"] for edge in page["edges"]] == [str(late[1].id), str(late[2].id)]
    before = {"id": pc08, "last": 2, "before": page["pageInfo"]["startCursor"]}
    rest = only_data(await apollo(client, "Overdue", OVERDUE, before, agency_admin.token))["agency"]["overdueReports"]
    assert [edge["node"]["id"] for edge in rest["edges"]] == [str(late[0].id)]
    assert rest["pageInfo"]["hasPreviousPage"] is False
    audit = only_data(await apollo(client, "Audit", AUDIT, {"last": 1}, admin.token))["auditLog"]
    empty = {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None}
    assert audit["pageInfo"] == empty


async def test_backward_arguments_are_bounded(client: httpx.AsyncClient, officer: Caller) -> None:
    for last in (0, -1, 101):
        assert_refused(
            await apollo(client, "Feed", FEED, {"last": last}, officer.token), "BAD_USER_INPUT", field="last"
        )
    assert_refused(
        await apollo(client, "Feed", FEED, {"first": 2, "last": 2}, officer.token), "BAD_USER_INPUT", field="last"
    )
    for before in ("garbage", "bm90fGF8Y3Vyc29y"):
        body = await apollo(client, "Feed", FEED, {"last": 2, "before": before}, officer.token)
        assert_refused(body, "BAD_USER_INPUT", field="before")
    body = await apollo(client, "Feed", FEED, {"last": 2, "before": "x" * 201}, officer.token)
    assert_refused(body, "BAD_USER_INPUT", field="before", maxLength=200)


COUNTED = "query($first: Int, $after: String) { reports(first: $first, after: $after) { totalCount edges { cursor } } }"
UNCOUNTED = "query($first: Int, $after: String) { reports(first: $first, after: $after) { edges { cursor } } }"
BOTH_SIDES = """query($first: Int, $after: String) {
  reports(first: $first, after: $after) { edges { cursor } pageInfo { hasNextPage hasPreviousPage endCursor } }
}"""
NEXT_ONLY = """query($first: Int, $after: String) {
  reports(first: $first, after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } }
}"""


async def statements(client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str) -> int:
    with count_queries() as log:
        only_data(await apollo(client, None, query, variables, token))
    return log.count


async def test_counts_and_the_far_side_are_asked_only_when_selected(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller
) -> None:
    """`totalCount` is one COUNT and `hasPreviousPage` after a cursor one existence check, each run only for a client
    that selects it; the page itself is one statement on top of the caller's authentication."""
    await reports_at_distinct_and_shared_instants(citizen, 5)
    cursor = only_data(await apollo(client, None, UNCOUNTED, {"first": 2}, officer.token))["reports"]["edges"][1]
    later = {"first": 2, "after": cursor["cursor"]}
    bare = await statements(client, UNCOUNTED, later, officer.token)
    assert bare <= 2  # at most the caller's account, checked on every request, and the page itself
    assert await statements(client, COUNTED, later, officer.token) == bare + 1
    assert await statements(client, NEXT_ONLY, later, officer.token) == bare
    assert await statements(client, BOTH_SIDES, later, officer.token) == bare + 1
    assert await statements(client, BOTH_SIDES, {"first": 2}, officer.token) == bare  # no cursor: nothing before
