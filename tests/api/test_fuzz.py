"""Generated operations over the committed contract, sent as each kind of caller: nothing a client sends may answer
`INTERNAL`, a 5xx or a body that is not a GraphQL JSON response.

The operations are built by hypothesis-graphql from `schema.graphql` (every query and mutation, any arguments the
types allow, NUL bytes and any non-surrogate character in strings, extreme dates and numbers), with a fixed seed so a
failure reproduces. `make test` runs 60 per role; `make fuzz` runs `FUZZ_EXAMPLES` (default 5,000) per role.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema, nodes

from auth.tokens import TokenCodec
from models.enums import Role
from tests.helpers.factories import make_caller
from tests.helpers.servers import REPO

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
SCHEMA = graphql.build_schema((REPO / "schema.graphql").read_text(encoding="utf-8"))
EDGE_DATES = st.sampled_from(["0001-01-01", "9999-12-31", "1970-01-01", "2026-02-30", "2026-12-01", "-1", ""])
EDGE_TIMES = st.sampled_from(
    ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+14:00", "2026-12-01T08:00:00", "2026-12-01T08:00:00+07:00"]
)
CUSTOM_SCALARS = {
    "Date": st.one_of(EDGE_DATES, st.dates().map(str)).map(nodes.String),
    "DateTime": st.one_of(
        EDGE_TIMES,
        st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat),
        st.integers(-400, 400).map(lambda days: (datetime.now(UTC) + timedelta(days=days)).isoformat()),
    ).map(nodes.String),
    "BigInt": st.one_of(st.integers(), st.integers(-(2**63), 2**63)).map(nodes.Int),
    "JSON": st.text(max_size=20).map(nodes.String),
    "Upload": st.just(nodes.String("not a multipart part")),
}
OPERATIONS = from_schema(SCHEMA, custom_scalars=CUSTOM_SCALARS)
ROLES = [None, Role.CITIZEN, Role.OFFICER, Role.ADMIN]


@cache
def generated_operations() -> tuple[str, ...]:
    """The same documents every run (fixed seed, no example database); generated up front, as hypothesis drives
    synchronous tests only, then sent from the async test."""
    documents: list[str] = []

    @seed(14)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(document=OPERATIONS)
    def collect(document: str) -> None:
        documents.append(document)

    collect()
    return tuple(documents)


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.value if role else "ANONYMOUS")
async def test_no_generated_operation_is_a_bug_on_our_side(
    client: httpx.AsyncClient, codec: TokenCodec, role: Role | None
) -> None:
    agency = "PC08" if role is Role.OFFICER else None
    headers = {"authorization": f"Bearer {(await make_caller(codec, role, agency)).token}"} if role else {}
    failures = [
        failure
        for document in generated_operations()
        if (failure := bug_in(await client.post("/graphql", json={"query": document}, headers=headers), document))
    ]
    assert not failures, f"{len(failures)} generated operations found a bug:\n" + "\n\n".join(failures[:5])


def bug_in(response: httpx.Response, document: str) -> str | None:
    """What is wrong with this answer, or None: a 5xx, a body that is not GraphQL JSON, an error without a code or
    with `INTERNAL`."""
    problem = None
    if response.status_code >= 500:
        problem = f"HTTP {response.status_code}"
    elif not response.headers.get("content-type", "").startswith("application/"):
        problem = f"content type {response.headers.get('content-type')}"
    elif not response.headers.get("x-request-id"):
        problem = "no X-Request-ID"
    else:
        body: dict[str, Any] = response.json()
        codes = [error.get("extensions", {}).get("code") for error in body.get("errors") or []]
        if ("data" not in body and "errors" not in body) or "INTERNAL" in codes or None in codes:
            problem = f"codes {codes}"
    return None if problem is None else f"{problem}: {response.text[:400]}\n{document}"
