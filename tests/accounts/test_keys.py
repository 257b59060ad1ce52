"""Asymmetric access tokens: RS256 and EdDSA work end to end, and the HS/RS confusion attack is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from api.signin import token_codec
from core.settings import Settings
from models.enums import Role
from tests.helpers.auth_flows import ME, client_for
from tests.helpers.environment import make_settings
from tests.helpers.factories import make_user, token_for
from tests.helpers.graphql import assert_refused, error_codes, gql, only_data

MEDIA_SECRET = "m" * 40  # asymmetric JWTs leave no shared secret to derive the media one from
PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey


def _write_keys(directory: Path, key: PrivateKey) -> dict[str, str]:
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (directory / "private.pem").write_bytes(private)
    (directory / "public.pem").write_bytes(public)
    return {
        "JWT_PRIVATE_KEY_FILE": str(directory / "private.pem"),
        "JWT_PUBLIC_KEY_FILE": str(directory / "public.pem"),
    }


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return _rsa()


@pytest.fixture
def rs256_settings(settings: Settings, tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> Settings:
    return make_settings(
        settings.database_url,
        tmp_path,
        JWT_ALGORITHM="RS256",
        MEDIA_SIGNING_SECRET=MEDIA_SECRET,
        **_write_keys(tmp_path, rsa_key),
    )


@pytest.fixture
async def rs256_client(rs256_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(rs256_settings) as http:
        yield http


def _claims(settings: Settings, subject: str) -> dict[str, object]:
    now = datetime.now(UTC)
    return {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": subject,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "jti": "forged",
        "role": "ADMIN",
    }


async def test_rs256_tokens_work(rs256_client: httpx.AsyncClient, rs256_settings: Settings) -> None:
    user = await make_user(Role.OFFICER, "PC08")
    token = token_for(token_codec(rs256_settings), user)
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    assert only_data(await gql(rs256_client, ME, token=token))["me"]["id"] == str(user.id)


async def test_hs256_signed_with_the_public_key_is_refused(
    rs256_client: httpx.AsyncClient, rs256_settings: Settings, rsa_key: rsa.RSAPrivateKey
) -> None:
    """The classic confusion: sign HS256 with the public key as the HMAC secret, hoping the server verifies with it."""
    user = await make_user(Role.CITIZEN)
    public_pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(_claims(rs256_settings, str(user.id))).encode())
    signature = _b64(hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    forged = f"{header}.{payload}.{signature}"
    cases = {
        "hs256 with the public key": forged,
        "hs256 with the dev secret": jwt.encode(_claims(rs256_settings, str(user.id)), "d" * 48, algorithm="HS256"),
        "rs256 with another key": jwt.encode(_claims(rs256_settings, str(user.id)), _rsa(), algorithm="RS256"),
    }
    for name, token in cases.items():
        response = await rs256_client.post("/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"})
        assert (response.status_code, error_codes(response.json())) == (401, ["UNAUTHENTICATED"]), name


async def test_eddsa_tokens_work_and_rs256_ones_do_not(settings: Settings, tmp_path: Path) -> None:
    eddsa = make_settings(
        settings.database_url,
        tmp_path,
        JWT_ALGORITHM="EdDSA",
        MEDIA_SIGNING_SECRET=MEDIA_SECRET,
        **_write_keys(tmp_path, ed25519.Ed25519PrivateKey.generate()),
    )
    user = await make_user(Role.ADMIN)
    token = token_for(token_codec(eddsa), user)
    assert jwt.get_unverified_header(token)["alg"] == "EdDSA"
    rs_token = jwt.encode(_claims(eddsa, str(user.id)), _rsa(), algorithm="RS256")
    async with client_for(eddsa) as http:
        assert only_data(await gql(http, ME, token=token))["me"] == {"id": str(user.id), "role": "ADMIN"}
        assert_refused(await gql(http, ME, token=rs_token), "UNAUTHENTICATED")
