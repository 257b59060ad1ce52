"""Known documents (`schema.base.documents`): a query text sent again is neither parsed nor validated again, and
everything that depends on the caller or the variables is still checked on every request."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import strawberry.schema.schema

from models.enums import ReportStatus
from tests.helpers.factories import Caller, make_report
from tests.helpers.graphql import assert_refused, gql, only_data

PAGE = """
query KnownPage($first: Int, $filter: ReportFilter) {
  reports(first: $first, filter: $filter) { edges { node { code status } } }
}
"""


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The operation names of the documents graphql-core validates from now on."""
    seen: list[str] = []
    validate = strawberry.schema.schema.validate

    def counted(schema: Any, document: Any, rules: Any) -> Any:
        seen.append(document.definitions[0].name.value if document.definitions[0].name else "")
        return validate(schema, document, rules)

    monkeypatch.setattr(strawberry.schema.schema, "validate", counted)
    return seen


async def test_a_document_sent_again_is_not_validated_again(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller, validations: list[str]
) -> None:
    await make_report(citizen.user, status=ReportStatus.ASSIGNED, assignee=officer.user)
    for first in (1, 5, 20):
        assert only_data(await gql(client, PAGE, {"first": first}, officer.token))["reports"]["edges"]
    assert validations.count("KnownPage") <= 1


async def test_a_known_document_is_checked_again_with_each_requests_variables(
    client: httpx.AsyncClient, officer: Caller
) -> None:
    only_data(await gql(client, PAGE, {"first": 5}, officer.token))
    too_long = await gql(client, PAGE, {"first": 5, "filter": {"plateNumber": "9" * 5000}}, officer.token)
    assert_refused(too_long, "BAD_USER_INPUT")
    assert too_long["errors"][0]["extensions"]["field"] == "filter.plateNumber"
    nul = await gql(client, PAGE, {"first": 5, "filter": {"wardCode": "00\x0070"}}, officer.token)
    assert_refused(nul, "BAD_USER_INPUT")
    anonymous = await gql(client, PAGE, {"first": 5})
    assert_refused(anonymous, "UNAUTHENTICATED")
    only_data(await gql(client, PAGE, {"first": 5}, officer.token))


async def test_a_refused_document_is_refused_the_same_way_each_time(
    client: httpx.AsyncClient, officer: Caller, validations: list[str]
) -> None:
    unknown = "query Unknown { reports(first: 1) { edges { node { noSuchField } } } }"
    answers = [await gql(client, unknown, {}, officer.token) for _ in range(2)]
    assert answers[0] == answers[1]
    assert_refused(answers[0], "BAD_USER_INPUT")
    assert validations.count("Unknown") == 2
