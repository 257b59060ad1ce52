"""Who may call what: every root field of the schema x every role, with the expected answer as data.

The operations come from the schema itself, so a new operation without a row here fails the suite. "deny" means
UNAUTHENTICATED for an anonymous caller and FORBIDDEN for a signed-in one; "allow" means neither (NOT_FOUND,
BAD_USER_INPUT and the like are the operation's own business). To add an operation: add one `Case` to `MATRIX`,
with a minimal document and, when it needs fresh data per call, a `prepare` that returns the variables.
Subscription rows run over a websocket (`tests/live_server.py`): a refused connection counts as UNAUTHENTICATED.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import graphql
import httpx
import pytest

from api.signin import sign_in_rules
from auth.tokens import TokenCodec
from core.settings import Settings
from models.agencies import Agency
from models.enums import IdentityProvider, Role
from models.users import Identity
from schema import schema
from services.accounts import otp, sessions
from services.accounts.users import create_staff_user
from tests.helpers.factories import Caller, make_user
from tests.helpers.graphql import error_codes, gql
from tests.helpers.live_server import live_server, subscription_codes

ROLES = ("anon", "citizen", "officer", "agency_admin", "admin")
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anon"}
STAFF = frozenset({"officer", "agency_admin", "admin"})
MANAGERS = frozenset({"agency_admin", "admin"})
ADMINS = frozenset({"admin"})
ZERO_ID = "00000000-0000-0000-0000-000000000000"
_serial = itertools.count(1)


@dataclass(frozen=True)
class Env:
    """What a `prepare` may use to build fresh variables for one call."""

    settings: Settings
    codec: TokenCodec
    callers: dict[str, Caller]


Prepare = Callable[[Env], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Case:
    document: str
    allow: frozenset[str]
    variables: dict[str, Any] = field(default_factory=dict)
    prepare: Prepare | None = None
    upload: str | None = None  # the variable that carries a file: sent as a GraphQL multipart request


async def _pc08(env: Env) -> dict[str, Any]:
    return {"agency": str((await Agency.get(code="PC08")).id)}


async def _zalo_token(env: Env) -> dict[str, Any]:
    return {"t": f"dev-zalo:matrix-{next(_serial)}"}


async def _fresh_phone(env: Env) -> dict[str, Any]:
    return {"p": f"09120{next(_serial):05d}"}


class _Capture:
    code = ""

    async def send(self, phone: str, code: str, expires_at: datetime) -> None:
        self.code = code


async def _otp_code(env: Env) -> dict[str, Any]:
    phone, sender = f"09130{next(_serial):05d}", _Capture()
    await otp.request_otp(sign_in_rules(env.settings), sender, phone, f"matrix-{phone}")
    return {"p": phone, "c": sender.code}


async def _password_account(env: Env) -> dict[str, Any]:
    username = f"matrix-{next(_serial)}"
    await create_staff_user(username=username, password="matrix password", role=Role.ADMIN)
    return {"u": username, "p": "matrix password"}


async def _refresh_token(env: Env) -> dict[str, Any]:
    session = await sessions.start_session(sign_in_rules(env.settings), env.codec, await make_user(Role.CITIZEN))
    return {"r": session.refresh_token}


async def _new_officer(env: Env) -> dict[str, Any]:
    agency = (await _pc08(env))["agency"]
    return {"input": {"username": f"matrix-{next(_serial)}", "password": "matrix password", "role": "OFFICER",
                      "agencyId": agency}}  # fmt: skip


async def _pc08_officer(env: Env) -> dict[str, Any]:
    return {"id": str((await make_user(Role.OFFICER, "PC08")).id)}


async def _new_agency(env: Env) -> dict[str, Any]:
    return {"input": {"code": f"MATRIX-{next(_serial)}", "name": "Matrix agency", "kind": "OTHER"}}


async def _report_input(env: Env) -> dict[str, Any]:
    report = {
        "categoryCode": "RED_LIGHT",
        "description": "Xe máy vượt đèn đỏ ở ngã tư (matrix).",
        "occurredAt": "2026-01-01T08:00:00+07:00",
        "location": {"latitude": 21.0285, "longitude": 105.8542},
        "channel": "ZALO",
    }
    return {"input": report, "key": f"matrix-{next(_serial)}"}


async def _intake_input(env: Env) -> dict[str, Any]:
    variables = await _report_input(env)
    return {**variables, "input": {**variables["input"], "channel": "HOTLINE", "provider": {"phone": "0912345678"}}}


async def _citizen_on_zalo(env: Env) -> dict[str, Any]:
    """Handoffs start in Zalo: the matrix citizen gets a Zalo identity (services.handoff refuses others)."""
    user = env.callers["citizen"].user
    await Identity.get_or_create(user=user, provider=IdentityProvider.ZALO, subject=f"matrix-{user.id}")
    return {}


MATRIX: dict[str, Case] = {
    # Query
    "Query.me": Case("{ me { id } }", EVERYONE),
    "Query.categories": Case("{ categories { code } }", EVERYONE),
    "Query.wards": Case("{ wards { code } }", EVERYONE),
    "Query.agencies": Case("{ agencies { code } }", EVERYONE),
    "Query.agency": Case("query($id: ID!) { agency(id: $id) { code } }", EVERYONE, {"id": ZERO_ID}),
    "Query.staff": Case("query($agency: ID!) { staff(agencyId: $agency) { id } }", MANAGERS, prepare=_pc08),
    # Mutation: sign-in needs no token, by definition.
    "Mutation.loginWithZalo": Case(
        "mutation($t: String!) { loginWithZalo(zaloAccessToken: $t) { accessToken } }", EVERYONE, prepare=_zalo_token
    ),
    "Mutation.requestOtp": Case(
        "mutation($p: String!) { requestOtp(phone: $p) { expiresAt } }", EVERYONE, prepare=_fresh_phone
    ),
    "Mutation.loginWithOtp": Case(
        "mutation($p: String!, $c: String!) { loginWithOtp(phone: $p, code: $c) { accessToken } }",
        EVERYONE,
        prepare=_otp_code,
    ),
    "Mutation.loginWithPassword": Case(
        "mutation($u: String!, $p: String!) { loginWithPassword(username: $u, password: $p) { accessToken } }",
        EVERYONE,
        prepare=_password_account,
    ),
    "Mutation.refreshSession": Case(
        "mutation($r: String!) { refreshSession(refreshToken: $r) { accessToken } }", EVERYONE, prepare=_refresh_token
    ),
    "Mutation.logout": Case("mutation($r: String!) { logout(refreshToken: $r) }", EVERYONE, {"r": "unknown"}),
    # Mutation: staff management (record-level rules are in tests/test_staff.py).
    "Mutation.createStaffUser": Case(
        "mutation($input: CreateStaffUserInput!) { createStaffUser(input: $input) { id } }",
        MANAGERS,
        prepare=_new_officer,
    ),
    "Mutation.setUserActive": Case(
        "mutation($id: ID!) { setUserActive(userId: $id, active: false) { id } }", MANAGERS, prepare=_pc08_officer
    ),
    "Mutation.splitAccountJoin": Case(
        "mutation($id: ID!) { splitAccountJoin(joinId: $id) { id } }", ADMINS, {"id": ZERO_ID}
    ),
    # Reports and decisions (record-level scoping is in tests/test_report_*.py and tests/test_workflow*.py).
    "Query.report": Case("query($id: ID!) { report(id: $id) { id } }", SIGNED_IN, {"id": ZERO_ID}),
    "Query.myReports": Case("{ myReports { totalCount } }", SIGNED_IN),
    "Query.reports": Case("{ reports { totalCount } }", STAFF),
    "Mutation.submitReport": Case(
        "mutation($input: SubmitReportInput!, $key: String!) {"
        " submitReport(input: $input, idempotencyKey: $key) { id } }",
        frozenset({"citizen"}),
        prepare=_report_input,
    ),
    "Mutation.recordReport": Case(  # staff intake (tests/intake): the agencies' staff, not city admins
        "mutation($input: RecordReportInput!, $key: String!) {"
        " recordReport(input: $input, idempotencyKey: $key) { id } }",
        frozenset({"officer", "agency_admin"}),
        prepare=_intake_input,
    ),
    "Mutation.assignReport": Case(
        "mutation($id: ID!) { assignReport(reportId: $id) { id } }", MANAGERS, {"id": ZERO_ID}
    ),
    "Mutation.decideReport": Case(  # city admins oversee but do not decide (services.reports.workflow)
        "mutation($id: ID!) { decideReport(reportId: $id, input: {outcome: ACCEPT}) { id } }",
        frozenset({"officer", "agency_admin"}),
        {"id": ZERO_ID},
    ),
    "Mutation.extendVerification": Case(  # like deciding: the handling agency's staff (services.reports.deadlines)
        'mutation($id: ID!) { extendVerification(reportId: $id, days: 45, reason: "Phức tạp") { id } }',
        frozenset({"officer", "agency_admin"}),
        {"id": ZERO_ID},
    ),
    "Mutation.requestWrittenAnswer": Case(  # the report's author (services.letters.answers)
        "mutation($id: ID!) { requestWrittenAnswer(reportId: $id) { id } }", frozenset({"citizen"}), {"id": ZERO_ID}
    ),
    # Handoff from Zalo to the city app (record-level rules are in tests/test_handoff*.py).
    "Mutation.createHandoff": Case(
        "mutation { createHandoff { url } }", frozenset({"citizen"}), prepare=_citizen_on_zalo
    ),
    "Mutation.redeemHandoff": Case(
        "mutation($t: String!) { redeemHandoff(token: $t) { mediaIds } }", frozenset({"citizen"}), {"t": "unknown"}
    ),
    "Mutation.confirmAccountJoin": Case(
        "mutation($t: String!, $z: ID!) { confirmAccountJoin(token: $t, zaloAccountId: $z) { id } }",
        frozenset({"citizen"}),
        {"t": "unknown", "z": ZERO_ID},
    ),
    # Media (record-level rules are in tests/test_media_*.py).
    "Query.media": Case("query($id: ID!) { media(id: $id) { id } }", SIGNED_IN, {"id": ZERO_ID}),
    # Relay refetching: open to everyone, each record under its own read's visibility (null when hidden).
    "Query.node": Case("query($id: ID!) { node(id: $id) { id } }", EVERYONE, {"id": ZERO_ID}),
    "Query.nodes": Case("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", EVERYONE, {"ids": [ZERO_ID]}),
    "Mutation.createMediaUpload": Case(
        "mutation($input: CreateMediaUploadInput!) { createMediaUpload(input: $input) { __typename } }",
        SIGNED_IN,
        {"input": {"contentType": "image/jpeg", "sizeBytes": 1000}},
    ),
    "Mutation.completeMediaUpload": Case(
        "mutation($id: ID!) { completeMediaUpload(mediaId: $id) { id } }", SIGNED_IN, {"id": ZERO_ID}
    ),
    # Who may take an original (the handling agency's staff) is a record-level rule: tests/custody/test_originals.py.
    "Mutation.viewOriginalMedia": Case(
        "mutation($id: ID!) { viewOriginalMedia(mediaId: $id) { url } }", SIGNED_IN, {"id": ZERO_ID}
    ),
    "Mutation.uploadMedia": Case(
        "mutation($file: Upload!) { uploadMedia(file: $file) { id } }", SIGNED_IN, {"file": None}, upload="file"
    ),
    # Agency administration (record-level rules are in tests/test_agency_*.py and tests/test_routing_admin.py).
    "Mutation.createAgency": Case(
        "mutation($input: AgencyInput!) { createAgency(input: $input) { id } }", ADMINS, prepare=_new_agency
    ),
    "Mutation.updateAgency": Case(
        'mutation($id: ID!) { updateAgency(id: $id, input: {name: "Matrix"}) { id } }', ADMINS, {"id": ZERO_ID}
    ),
    "Mutation.setAgencyNotifications": Case(
        "mutation($id: ID!) { setAgencyNotifications(agencyId: $id, input: {accepted: true}) { id } }",
        MANAGERS,
        {"id": ZERO_ID},
    ),
    "Mutation.setRoutingRule": Case(
        "mutation($input: RoutingRuleInput!) { setRoutingRule(input: $input) { id } }",
        ADMINS,
        {"input": {"agencyId": ZERO_ID, "categoryKind": "VIOLATION", "wardCode": "00070"}},
    ),
    "Mutation.deleteRoutingRule": Case("mutation($id: ID!) { deleteRoutingRule(id: $id) }", ADMINS, {"id": ZERO_ID}),
    "Mutation.setCategoryServiceLevel": Case(  # the seeded value: nothing changes for the tests after this one
        'mutation { setCategoryServiceLevel(code: "ROAD_DAMAGE", hours: 72) { code } }', ADMINS
    ),
    "Query.routingRules": Case("{ routingRules { id } }", ADMINS),
    "Query.routingPreview": Case('{ routingPreview(categoryCode: "RED_LIGHT", wardCode: "00070") { reason } }', STAFF),
    "Query.auditLog": Case("{ auditLog { __typename } }", ADMINS),
    # Statistics: the city's totals are public; staff are held to their agency (tests/test_statistics.py).
    "Query.statistics": Case("{ statistics { received } }", EVERYONE),
    # Hotspots: the public sees the city's cells of at least HOTSPOT_MIN_COUNT reports (tests/hotspots).
    "Query.hotspots": Case("{ hotspots { minCount cells { id total } } }", EVERYONE),
    # Exports: staff only; what a link then holds follows the caller's visibility (tests/exports).
    "Mutation.exportReports": Case("mutation { exportReports { url } }", STAFF),
    "Mutation.exportStatistics": Case("mutation { exportStatistics { url } }", STAFF),
    # The handling agency's staff and admins; another agency's staff get NOT_FOUND (tests/dossiers/test_access.py).
    "Mutation.exportEvidenceDossier": Case(
        "mutation($id: ID!) { exportEvidenceDossier(reportId: $id) { url } }", STAFF, {"id": ZERO_ID}
    ),
    # Live updates over graphql-transport-ws (record-level rules are in tests/test_live*.py).
    "Subscription.reportSubmitted": Case("subscription { reportSubmitted { id } }", STAFF),
    "Subscription.reportUpdated": Case(
        "subscription($id: ID!) { reportUpdated(reportId: $id) { id } }", SIGNED_IN, {"id": ZERO_ID}
    ),
}


def schema_operations() -> list[str]:
    """Every root field of the schema as `Type.field`, read from the SDL the server serves."""
    built = graphql.build_schema(schema.as_str())
    roots = (built.query_type, built.mutation_type, built.subscription_type)
    return sorted(f"{root.name}.{name}" for root in roots if root is not None for name in root.fields)


def test_every_operation_has_a_row() -> None:
    operations = schema_operations()
    missing = sorted(set(operations) - MATRIX.keys())
    assert not missing, f"add these operations to MATRIX in {__name__}: {missing}"
    stale = sorted(MATRIX.keys() - set(operations))
    assert not stale, f"these MATRIX rows name operations the schema no longer has: {stale}"


async def _post(client: httpx.AsyncClient, case: Case, variables: dict[str, Any], token: str | None) -> dict[str, Any]:
    if case.upload is None:
        return await gql(client, case.document, variables, token)
    headers = {"Apollo-Require-Preflight": "true", **({"Authorization": f"Bearer {token}"} if token else {})}
    response = await client.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": case.document, "variables": variables}),
            "map": json.dumps({"0": [f"variables.{case.upload}"]}),
        },
        files={"0": ("matrix.jpg", b"not really a photo", "image/jpeg")},
        headers=headers,
    )
    body: dict[str, Any] = response.json()
    return body


@asynccontextmanager
async def _websocket_for(operation: str, app: Any) -> AsyncIterator[str | None]:
    """Subscriptions are called the way clients call them: over a websocket to a real server."""
    if not operation.startswith("Subscription."):
        yield None
        return
    async with live_server(app) as url:
        yield url


@pytest.mark.parametrize("operation", schema_operations())
async def test_authorization(
    operation: str,
    app: Any,
    client: httpx.AsyncClient,
    settings: Settings,
    codec: TokenCodec,
    citizen: Caller,
    officer: Caller,
    agency_admin: Caller,
    admin: Caller,
) -> None:
    case = MATRIX.get(operation)
    assert case is not None, f"{operation} has no row in MATRIX"
    callers = {"citizen": citizen, "officer": officer, "agency_admin": agency_admin, "admin": admin}
    env = Env(settings=settings, codec=codec, callers=callers)
    outcomes: dict[str, str] = {}
    async with _websocket_for(operation, app) as subscription_url:
        for role in ROLES:
            variables = {**case.variables, **(await case.prepare(env) if case.prepare else {})}
            token = callers[role].token if role in callers else None
            if subscription_url is None:
                codes = set(error_codes(await _post(client, case, variables, token)))
            else:
                codes = set(await subscription_codes(subscription_url, case.document, variables, token))
            denied_as = "UNAUTHENTICATED" if role == "anon" else "FORBIDDEN"
            if role in case.allow:
                refused = codes & {"UNAUTHENTICATED", "FORBIDDEN"}
                outcomes[role] = f"refused {sorted(codes)}" if refused else "allow"
            else:
                outcomes[role] = "deny" if codes == {denied_as} else f"not denied as {denied_as}: {sorted(codes)}"
    expected = {role: "allow" if role in case.allow else "deny" for role in ROLES}
    assert outcomes == expected
