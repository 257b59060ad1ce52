"""Relay's `node(id:)` and `nodes(ids:)`: the ids the frontends already hold, every kind of record, and for every
role (anonymous included) exactly what that role's other reads show; a hidden record answers as a missing one."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from models.agencies import Agency
from models.decisions import Decision
from models.enums import DecisionOutcome, Role
from tests.helpers.factories import Caller, make_caller, make_media, make_report
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.query_count import count_queries

NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Report { code }
    ... on Decision { outcome }
    ... on Media { kind }
    ... on Agency { code }
    ... on User { role }
  }
}
"""
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
REPORT_THEN_NODE = """
query($id: ID!) { report(id: $id) { id decisions { id } media { id } agency { id } } }
"""

KINDS = ("report", "decision", "media", "agency", "citizen", "officer", "agency_admin", "stranger_report")
# What each role sees of the records below, by the rules of every other read.
SEES: dict[str, set[str]] = {
    "anon": {"agency"},
    "citizen": {"report", "decision", "media", "agency", "citizen"},
    "stranger": {"agency", "stranger_report"},
    "officer": {"report", "decision", "media", "agency", "officer", "stranger_report"},
    "other_officer": {"agency"},
    "agency_admin": {"report", "decision", "media", "agency", "officer", "agency_admin", "stranger_report"},
    "admin": set(KINDS),
}


@pytest.fixture
async def world(
    citizen: Caller, officer: Caller, agency_admin: Caller, admin: Caller, other_officer: Caller, codec: Any
) -> tuple[dict[str, Caller | None], dict[str, str]]:
    stranger = await make_caller(codec, Role.CITIZEN)
    report = await make_report(citizen.user)
    media = await make_media(citizen.user, report=report)
    decision = await Decision.create(
        report=report, outcome=DecisionOutcome.ACCEPT, decided_by=officer.user, decided_at=report.submitted_at
    )
    theirs = await make_report(stranger.user)
    pc08 = await Agency.get(code="PC08")
    ids = {
        "report": str(report.id),
        "decision": str(decision.id),
        "media": str(media.id),
        "agency": str(pc08.id),
        "citizen": str(citizen.user.id),
        "officer": str(officer.user.id),
        "agency_admin": str(agency_admin.user.id),
        "stranger_report": str(theirs.id),
    }
    callers: dict[str, Caller | None] = {
        "anon": None,
        "citizen": citizen,
        "stranger": stranger,
        "officer": officer,
        "other_officer": other_officer,
        "agency_admin": agency_admin,
        "admin": admin,
    }
    return callers, ids


TYPENAMES = {"report": "Report", "stranger_report": "Report", "decision": "Decision", "media": "Media",
             "agency": "Agency", "citizen": "User", "officer": "User", "agency_admin": "User"}  # fmt: skip


@pytest.mark.parametrize("role", list(SEES))
async def test_each_role_sees_through_node_what_it_sees_elsewhere(
    client: httpx.AsyncClient, world: tuple[dict[str, Caller | None], dict[str, str]], role: str
) -> None:
    callers, ids = world
    caller = callers[role]
    token = caller.token if caller else None
    missing = only_data(await gql(client, NODE, {"id": str(uuid.uuid4())}, token))
    assert missing == {"node": None}
    for kind in KINDS:
        body = await gql(client, NODE, {"id": ids[kind]}, token)
        if kind in SEES[role] or (caller is not None and ids[kind] == str(caller.user.id)):
            node = only_data(body)["node"]
            assert (node["__typename"], node["id"]) == (TYPENAMES[kind], ids[kind]), (role, kind)
        else:
            assert body == {"data": missing}, (role, kind)  # hidden looks exactly like missing: no error, no hint
    listed = only_data(await gql(client, NODES, {"ids": [ids[kind] for kind in KINDS]}, token))["nodes"]
    seen = [node["id"] if node else None for node in listed]
    expected = [ids[k] if k in SEES[role] or (caller and ids[k] == str(caller.user.id)) else None for k in KINDS]
    assert seen == expected


async def test_the_ids_the_frontends_hold_are_node_ids(
    client: httpx.AsyncClient, world: tuple[dict[str, Caller | None], dict[str, str]]
) -> None:
    """No prefix, no new encoding: an id read from `report`, its decisions, media and agency refetches as is."""
    callers, ids = world
    citizen = callers["citizen"]
    assert citizen is not None
    report = only_data(await gql(client, REPORT_THEN_NODE, {"id": ids["report"]}, citizen.token))["report"]
    held = [report["id"], report["decisions"][0]["id"], report["media"][0]["id"], report["agency"]["id"]]
    nodes = only_data(await gql(client, NODES, {"ids": held}, citizen.token))["nodes"]
    assert [(node["__typename"], node["id"]) for node in nodes] == list(
        zip(("Report", "Decision", "Media", "Agency"), held, strict=True)
    )


async def test_ids_are_bounded_and_malformed_ones_are_missing(client: httpx.AsyncClient, admin: Caller) -> None:
    assert only_data(await gql(client, NODES, {"ids": ["garbage", "", "PA-2026-000001"]}, admin.token)) == {
        "nodes": [None, None, None]
    }
    too_many = [str(uuid.uuid4()) for _ in range(101)]
    assert_refused(await gql(client, NODES, {"ids": too_many}, admin.token), "BAD_USER_INPUT", maxItems=100)
    assert_refused(await gql(client, NODE, {"id": "x" * 65}, admin.token), "BAD_USER_INPUT", maxLength=64)


async def test_nodes_does_not_grow_with_the_ids(client: httpx.AsyncClient, citizen: Caller, admin: Caller) -> None:
    """One statement per kind of record, however many ids."""
    counts = []
    for size in (2, 20):
        reports = [await make_report(citizen.user) for _ in range(size)]
        media = [await make_media(citizen.user) for _ in range(size)]
        ids = [str(row.id) for row in reports + media] + [str(uuid.uuid4())]
        with count_queries() as log:
            nodes = only_data(await gql(client, NODES, {"ids": ids}, admin.token))["nodes"]
        assert [node["id"] if node else None for node in nodes] == [*ids[:-1], None]
        counts.append(log.count)
    assert counts[0] == counts[1], counts
