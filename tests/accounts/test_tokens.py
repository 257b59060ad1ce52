"""Access tokens at the edge: every bad token is UNAUTHENTICATED (401), never anonymous, never a 500."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import jwt

from auth.principal import Principal
from auth.tokens import TokenCodec
from core.settings import Settings
from models.enums import Role
from tests.helpers.factories import Caller
from tests.helpers.graphql import error_codes, gql, only_data

ME = "{ me { id role fullName agency { code } } }"


async def test_me_is_null_without_a_token(client: httpx.AsyncClient) -> None:
    assert only_data(await gql(client, ME)) == {"me": None}


async def test_me_for_each_role(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller, agency_admin: Caller, admin: Caller
) -> None:
    for caller, agency in (
        (citizen, None),
        (officer, {"code": "PC08"}),
        (agency_admin, {"code": "PC08"}),
        (admin, None),
    ):
        me = only_data(await gql(client, ME, token=caller.token))["me"]
        assert me["id"] == str(caller.user.id)
        assert me["role"] == caller.user.role.value
        assert me["agency"] == agency


async def _status_and_codes(client: httpx.AsyncClient, authorization: str) -> tuple[int, list[str]]:
    response = await client.post("/graphql", json={"query": ME}, headers={"Authorization": authorization})
    return response.status_code, error_codes(response.json())


def _forge(
    claims: dict[str, object], key: str = "another-secret-that-is-long-enough-0123456789", alg: str = "HS256"
) -> str:
    return jwt.encode(claims, key, algorithm=alg)


async def test_bad_tokens_are_unauthenticated(client: httpx.AsyncClient, citizen: Caller, settings: Settings) -> None:
    now = datetime.now(UTC)
    valid_claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(citizen.user.id),
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": "x",
        "role": "ADMIN",
    }
    header, payload, signature = citizen.token.split(".")
    unsigned = jwt.encode(valid_claims, None, algorithm="none")
    cases = {
        "garbage": "Bearer not-a-jwt",
        "wrong scheme": f"Token {citizen.token}",
        "empty bearer": "Bearer ",
        "alg none": f"Bearer {unsigned}",
        "other key": f"Bearer {_forge(valid_claims)}",
        "tampered payload": f"Bearer {header}.{payload[:-2]}xx.{signature}",
        "expired": f"Bearer {_forge({**valid_claims, 'exp': now - timedelta(minutes=1)}, settings.jwt_secret)}",
        "wrong audience": f"Bearer {_forge({**valid_claims, 'aud': 'someone-else'}, settings.jwt_secret)}",
        "wrong issuer": f"Bearer {_forge({**valid_claims, 'iss': 'someone-else'}, settings.jwt_secret)}",
        "no exp": f"Bearer {_forge({k: v for k, v in valid_claims.items() if k != 'exp'}, settings.jwt_secret)}",
        "no jti": f"Bearer {_forge({k: v for k, v in valid_claims.items() if k != 'jti'}, settings.jwt_secret)}",
    }
    for name, authorization in cases.items():
        assert await _status_and_codes(client, authorization) == (401, ["UNAUTHENTICATED"]), name


async def test_public_queries_refuse_an_invalid_token_too(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ wards { code } }"}, headers={"Authorization": "Bearer x"}
    )
    assert response.status_code == 401


async def test_a_disabled_user_is_refused_at_once(client: httpx.AsyncClient, officer: Caller) -> None:
    assert only_data(await gql(client, ME, token=officer.token))["me"]["role"] == "OFFICER"
    officer.user.is_active = False
    await officer.user.save()
    assert await _status_and_codes(client, f"Bearer {officer.token}") == (401, ["UNAUTHENTICATED"])


async def test_a_changed_role_takes_effect_at_once(client: httpx.AsyncClient, officer: Caller) -> None:
    officer.user.role = Role.AGENCY_ADMIN
    await officer.user.save()
    assert only_data(await gql(client, ME, token=officer.token))["me"]["role"] == "AGENCY_ADMIN"


def test_codec_round_trip_keeps_the_principal(codec: TokenCodec) -> None:
    import uuid

    principal = Principal(user_id=uuid.uuid4(), role=Role.OFFICER, agency_id=uuid.uuid4())
    assert codec.decode(codec.issue(principal).token) == principal
