"""The audit log through GraphQL: admins read every administrative change, newest first, a page at a time."""

from __future__ import annotations

import httpx

from tests.helpers.agencies_api import AUDIT_LOG, UPDATE_AGENCY, create_agency
from tests.helpers.factories import Caller
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.query_count import count_queries


async def test_admins_page_through_the_changes_newest_first(client: httpx.AsyncClient, admin: Caller) -> None:
    first = await create_agency(client, admin)
    second = await create_agency(client, admin)
    only_data(await gql(client, UPDATE_AGENCY, {"id": first["id"], "input": {"phone": "0243"}}, admin.token))

    page = only_data(await gql(client, AUDIT_LOG, {"first": 2}, admin.token))["auditLog"]
    assert page["totalCount"] == 3
    assert page["pageInfo"]["hasNextPage"] is True
    nodes = [edge["node"] for edge in page["edges"]]
    assert [(n["action"], n["entityId"]) for n in nodes] == [
        ("AGENCY_UPDATED", first["id"]),
        ("AGENCY_CREATED", second["id"]),
    ]
    assert nodes[0]["before"]["phone"] == ""
    assert nodes[0]["after"]["phone"] == "0243"
    assert nodes[0]["actor"] == {"id": str(admin.user.id), "role": "ADMIN"}

    rest = only_data(await gql(client, AUDIT_LOG, {"first": 2, "after": page["pageInfo"]["endCursor"]}, admin.token))[
        "auditLog"
    ]
    assert [edge["node"]["entityId"] for edge in rest["edges"]] == [first["id"]]
    assert rest["pageInfo"]["hasNextPage"] is False

    one = only_data(await gql(client, AUDIT_LOG, {"entity": "agency", "entityId": first["id"]}, admin.token))
    assert [edge["node"]["action"] for edge in one["auditLog"]["edges"]] == ["AGENCY_UPDATED", "AGENCY_CREATED"]
    assert (
        only_data(await gql(client, AUDIT_LOG, {"entity": "routing_rule"}, admin.token))["auditLog"]["totalCount"] == 0
    )


async def test_only_admins_read_it_and_bad_pages_are_refused(
    client: httpx.AsyncClient, admin: Caller, agency_admin: Caller, officer: Caller, citizen: Caller
) -> None:
    assert_refused(await gql(client, AUDIT_LOG), "UNAUTHENTICATED")
    for caller in (agency_admin, officer, citizen):
        assert_refused(await gql(client, AUDIT_LOG, {}, caller.token), "FORBIDDEN")
    for variables in ({"first": 0}, {"first": 101}, {"after": "bm9wZQ=="}):
        body = await gql(client, AUDIT_LOG, variables, admin.token)
        assert_refused(body, "BAD_USER_INPUT")
        assert body["errors"][0]["extensions"]["field"] in {"first", "after"}


async def test_a_page_of_the_log_costs_the_same_queries_at_any_size(client: httpx.AsyncClient, admin: Caller) -> None:
    for _ in range(4):
        await create_agency(client, admin)
    counts = []
    for first in (1, 4):
        with count_queries() as log:
            page = only_data(await gql(client, AUDIT_LOG, {"first": first}, admin.token))["auditLog"]
        assert len(page["edges"]) == first
        counts.append(log.count)
    assert counts[0] == counts[1] <= 4
