"""The input boundary through the real endpoint, as each kind of caller, on SQLite and PostgreSQL alike: NUL bytes,
unpaired surrogates, over-long strings and lists, malformed codes and dates out of range are BAD_USER_INPUT naming
their field (never INTERNAL, a 5xx or plain text); fines have a ceiling and totals past 2^53 arrive exactly; bodies
that are no GraphQL request, unknown paths, bugs and an unreachable database answer JSON with a code and
`X-Request-ID`."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.routing import Route

from api.app import create_app, open_clients
from auth.principal import Principal
from auth.tokens import TokenCodec
from core.settings import Settings
from models.enums import ReportStatus, Role
from tests.helpers.factories import Caller, make_report
from tests.helpers.graphql import assert_refused
from tests.helpers.live_server import live_server, subscription_codes
from tests.helpers.reports_api import ANSWER, decide

LOGIN = "mutation($u: String!, $p: String!) { loginWithPassword(username: $u, password: $p) { accessToken } }"
STATISTICS = "query($f: StatisticsFilter) { statistics(filter: $f) { received } }"
REPORTS = "query($f: ReportFilter, $after: String) { reports(filter: $f, after: $after) { totalCount } }"
SUBMIT = (
    "mutation($input: SubmitReportInput!, $key: String!) { submitReport(input: $input, idempotencyKey: $key) { id } }"
)
HANDOFF = "mutation($draft: ReportDraftInput) { createHandoff(draft: $draft) { url } }"
SET_RULE = "mutation($input: RoutingRuleInput!) { setRoutingRule(input: $input) { id } }"
CREATE_AGENCY = "mutation($input: AgencyInput!) { createAgency(input: $input) { id } }"
FINES = "query { statistics { penalized finesTotalVnd } }"
UPDATES = "subscription($id: ID!) { reportUpdated(reportId: $id) { id } }"


def submission(**changes: Any) -> dict[str, Any]:
    """A submission whose only fault is in `changes` (the boundary refuses before anything is looked up)."""
    return {
        "categoryCode": "RED_LIGHT",
        "description": "Xe ô tô vượt đèn đỏ ở ngã tư.",
        "occurredAt": datetime.now(UTC).isoformat(),
        "location": {"latitude": 21.0287, "longitude": 105.8524},
        "channel": "ZALO",
        **changes,
    }


def rule(**changes: Any) -> dict[str, Any]:
    return {"agencyId": str(uuid.uuid4()), "categoryCode": "RED_LIGHT", **changes}


def agency(**changes: Any) -> dict[str, Any]:
    return {"code": "PROBE-1", "name": "Probe", "kind": "OTHER", **changes}


# (caller, document, variables, the field named, further extensions). Variables are sent as JSON with `\u` escapes,
# as a browser's JSON.stringify sends an unpaired surrogate.
REFUSALS: list[tuple[str, str, dict[str, Any], str, dict[str, object]]] = [
    ("anon", LOGIN, {"u": "pc08\x00head", "p": "change-me-please"}, "username", {}),
    ("anon", LOGIN, {"u": "u" * 100_000, "p": "change-me-please"}, "username", {"maxLength": 80}),
    ("anon", LOGIN, {"u": "pc08.head", "p": "change\ud800me"}, "password", {}),
    ("anon", STATISTICS, {"f": {"wardCode": "\ud800"}}, "filter.wardCode", {}),
    ("anon", STATISTICS, {"f": {"categoryCode": "RED\x00LIGHT"}}, "filter.categoryCode", {}),
    ("anon", STATISTICS, {"f": {"from": "0001-01-01"}}, "filter.from", {}),
    ("anon", STATISTICS, {"f": {"to": "9999-12-31"}}, "filter.to", {}),
    ("citizen", SUBMIT, {"input": submission(description="x" * 2001), "key": "boundary-key-1"}, "description", {}),
    ("citizen", SUBMIT, {"input": submission(mediaIds=[str(uuid.uuid4())] * 11), "key": "k" * 8}, "mediaIds", {}),
    ("citizen", SUBMIT, {"input": submission(), "key": "k" * 101}, "idempotencyKey", {"maxLength": 100}),
    (
        "citizen",
        SUBMIT,
        {"input": submission(location={"latitude": 21.0, "longitude": 105.8, "wardCode": "0007000"}), "key": "k" * 8},
        "location.wardCode",
        {},
    ),
    ("citizen", HANDOFF, {"draft": {"plateNumber": "2" * 21}}, "draft.plateNumber", {}),
    ("citizen", 'mutation { uploadMedia(file: "not a multipart part") { id } }', {}, "file", {}),
    ("citizen", "mutation($f: Upload!) { uploadMedia(file: $f) { id } }", {"f": {"name": "x.jpg"}}, "file", {}),
    ("officer", REPORTS, {"f": {"wardCode": "0007000"}}, "filter.wardCode", {"maxLength": 5}),
    ("officer", REPORTS, {"f": {"wardCode": "0007A"}}, "filter.wardCode", {}),
    ("officer", REPORTS, {"f": {"submittedFrom": "0001-01-01T00:00:00+07:00"}}, "filter.submittedFrom", {}),
    ("officer", REPORTS, {"f": {"submittedTo": "9999-12-31T23:59:59-12:00"}}, "filter.submittedTo", {}),
    ("officer", REPORTS, {"f": {"updatedSince": "2026-11-01T08:00:00"}}, "filter.updatedSince", {}),
    ("officer", REPORTS, {"f": {"plateNumber": "29ı-123.45"}}, "filter.plateNumber", {}),
    ("officer", REPORTS, {"after": "c" * 201}, "after", {}),
    ("admin", SET_RULE, {"input": rule(wardCode="0007000")}, "input.wardCode", {}),
    ("admin", SET_RULE, {"input": rule(categoryCode="red light")}, "input.categoryCode", {}),
    ("admin", CREATE_AGENCY, {"input": agency(code="CA-ı")}, "input.code", {}),
    ("admin", CREATE_AGENCY, {"input": agency(wardCodes=["00070"] * 201)}, "input.wardCodes", {"maxItems": 200}),
    ("admin", '{ statistics(filter: { wardCode: "0007000" }) { received } }', {}, "filter.wardCode", {}),
    (
        "anon",
        'query { ...Figures } fragment Figures on Query { statistics(filter: { wardCode: "\\u0000" }) { received } }',
        {},
        "filter.wardCode",
        {},
    ),
]


@pytest.fixture
def tokens(citizen: Caller, officer: Caller, admin: Caller) -> dict[str, str | None]:
    return {"anon": None, "citizen": citizen.token, "officer": officer.token, "admin": admin.token}


async def post(
    client: httpx.AsyncClient, body: bytes, token: str | None = None, content_type: str = "application/json"
) -> httpx.Response:
    headers = {"content-type": content_type, **({"Authorization": f"Bearer {token}"} if token else {})}
    return await client.post("/graphql", content=body, headers=headers)


def json_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is JSON in GraphQL's error shape with this status and code, and names its request id."""
    assert response.headers["content-type"].startswith("application/json"), response.text[:200]
    assert response.headers.get("x-request-id"), response.headers
    body: dict[str, Any] = response.json()
    assert (response.status_code, [e["extensions"]["code"] for e in body["errors"]]) == (status, [code]), body
    return body


@pytest.mark.parametrize(
    ("role", "document", "variables", "field", "extensions"),
    REFUSALS,
    ids=[f"{role}-{field}-{n}" for n, (role, _, _, field, _) in enumerate(REFUSALS)],
)
async def test_bad_input_is_refused_naming_its_field(
    client: httpx.AsyncClient,
    tokens: dict[str, str | None],
    role: str,
    document: str,
    variables: dict[str, Any],
    field: str,
    extensions: dict[str, object],
) -> None:
    response = await post(client, json.dumps({"query": document, "variables": variables}).encode(), tokens[role])
    body = json_error(response, 200, "BAD_USER_INPUT")
    assert_refused(body, "BAD_USER_INPUT", field=field, **extensions)


async def test_a_subscription_is_refused_at_the_boundary_too(app: Any, citizen: Caller) -> None:
    async with live_server(app) as url:
        assert await subscription_codes(url, UPDATES, {"id": "x" * 65}, citizen.token) == ["BAD_USER_INPUT"]


async def test_fines_have_a_ceiling(client: httpx.AsyncClient, citizen: Caller, officer: Caller) -> None:
    report = await make_report(citizen.user, status=ReportStatus.ACCEPTED, accepted_at=datetime.now(UTC))
    penalty = {"outcome": "PENALIZE", "responseToCitizen": ANSWER, "legalBasis": "Nghị định 168/2024/NĐ-CP"}
    for fine in (9 * 10**15, 150_000_001):
        assert_refused(
            await decide(client, officer, str(report.id), **penalty, fineAmountVnd=fine),
            "BAD_USER_INPUT",
            field="input.fineAmountVnd",
            maxVnd=150_000_000,
        )
    decided = await decide(client, officer, str(report.id), **penalty, fineAmountVnd=150_000_000)
    assert decided["data"]["decideReport"]["status"] == "PENALIZED", decided


async def test_totals_past_two_to_the_53_arrive_as_exact_strings(client: httpx.AsyncClient, citizen: Caller) -> None:
    """Fines recorded before the ceiling, or imported, may add up past what a JSON number carries exactly."""
    now = datetime.now(UTC)
    decided = {"accepted_at": now, "first_decided_at": now, "closed_at": now, "status": ReportStatus.PENALIZED}
    await make_report(citizen.user, fine_amount_vnd=4_000_000, **decided)
    figures = (await client.post("/graphql", json={"query": FINES})).json()["data"]["statistics"]
    assert figures == {"penalized": 1, "finesTotalVnd": 4_000_000}
    await make_report(citizen.user, fine_amount_vnd=2**53, **decided)
    figures = (await client.post("/graphql", json={"query": FINES})).json()["data"]["statistics"]
    assert figures == {"penalized": 2, "finesTotalVnd": str(2**53 + 4_000_000)}


DEEP = b"[" * 100_000 + b"]" * 100_000
MALFORMED_BODIES: list[tuple[str, bytes, str]] = [
    ("null", b"null", "application/json"),
    ("number", b"42", "application/json"),
    ("string", b'"{ __typename }"', "application/json"),
    ("batch", b'[{"query": "{ __typename }"}]', "application/json"),
    ("query not a string", b'{"query": 42}', "application/json"),
    ("variables not an object", b'{"query": "{ __typename }", "variables": 42}', "application/json"),
    ("invalid UTF-8", b'{"query": "{ __typename }\xff\xfe"}', "application/json"),
    ("nested 100,000 deep", DEEP, "application/json"),
    (
        "variables nested 100,000 deep",
        b'{"query": "{ __typename }", "variables": {"v": ' + DEEP + b"}}",
        "application/json",
    ),
    (
        "a number of 5,000 digits",
        b'{"query": "{ __typename }", "variables": {"n": ' + b"9" * 5000 + b"}}",
        "application/json",
    ),
    ("empty", b"", "application/json"),
    ("not JSON", b"query { __typename }", "application/json"),
    ("no query", b"{}", "application/json"),
]


@pytest.mark.parametrize(
    ("body", "content_type"), [case[1:] for case in MALFORMED_BODIES], ids=[c[0] for c in MALFORMED_BODIES]
)
async def test_malformed_bodies_answer_json(
    client: httpx.AsyncClient, officer: Caller, body: bytes, content_type: str
) -> None:
    for token in (None, officer.token):
        json_error(await post(client, body, token, content_type), 400, "BAD_USER_INPUT")
    # Another content type is 415 (GraphQL over HTTP), tested with the other HTTP conventions in test_http_conventions.


async def test_unknown_paths_and_methods_answer_json(client: httpx.AsyncClient) -> None:
    json_error(await client.get("/nowhere"), 404, "NOT_FOUND")
    refused = json_error(await client.put("/graphql", json={"query": "{ __typename }"}), 405, "METHOD_NOT_ALLOWED")
    assert refused["errors"][0]["message"] == "Method Not Allowed"


async def test_a_bug_outside_graphql_answers_json_internal_with_the_request_id(settings: Settings) -> None:
    """The request id middleware is outermost: even Starlette's answer to an unhandled exception carries the id."""

    async def broken(request: Request) -> None:
        raise ZeroDivisionError("secret detail")

    application = create_app(settings)
    application.router.routes.append(Route("/broken", broken))
    async with (
        open_clients(application, settings, workers=False),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url="http://testserver") as http,
    ):
        response = await http.get("/broken", headers={"X-Request-ID": "console-7"})
    body = json_error(response, 500, "INTERNAL")
    assert response.headers["x-request-id"] == "console-7" == body["errors"][0]["extensions"]["requestId"]
    assert "secret" not in response.text


async def test_an_unreachable_database_answers_503_unavailable(run_server: Any, codec: TokenCodec) -> None:
    """PostgreSQL does not answer (nothing listens on port 9): a signed-in request, whose account is checked there
    first, is 503 UNAVAILABLE; an anonymous query's fields are UNAVAILABLE; both JSON with the request id."""
    server = run_server({"DATABASE_URL": "postgres://postgres@127.0.0.1:9/nowhere"}, migrate=False)
    token = codec.issue(Principal(user_id=uuid.uuid4(), role=Role.OFFICER)).token
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        signed_in = await http.post(
            "/graphql", json={"query": "{ me { id } }"}, headers={"Authorization": f"Bearer {token}"}
        )
        body = json_error(signed_in, 503, "UNAVAILABLE")
        assert body["errors"][0]["extensions"]["requestId"] == signed_in.headers["x-request-id"]
        assert signed_in.headers["retry-after"] == "5"
        anonymous = await http.post("/graphql", json={"query": "{ wards { code } }"})
        assert_refused(json_error(anonymous, 200, "UNAVAILABLE"), "UNAVAILABLE")
