"""Access tokens (JWT, RFC 8725): one pinned algorithm, every registered claim required, short-lived.

The role and agency inside a token are a convenience for clients; the server re-reads the user on every request
(`auth.authentication`), so a disabled account or a changed role takes effect at once.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import jwt

from auth.principal import Principal
from core import clock
from core.errors import Unauthenticated
from models.enums import Role

REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat", "jti"]
LEEWAY_SECONDS = 10


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_in: int
    expires_at: datetime


@dataclass(frozen=True)
class TokenKeys:
    """The pinned algorithm, its keys (one shared secret for HS256, a key pair otherwise), the claims every token
    must carry and its lifetime; read from settings once, when the app starts (`api.signin`)."""

    algorithm: str
    signing_key: str | bytes = field(repr=False)
    verifying_key: str | bytes = field(repr=False)
    issuer: str
    audience: str
    ttl_seconds: int


class TokenCodec:
    """Signs and verifies access tokens with one set of keys."""

    def __init__(self, keys: TokenKeys) -> None:
        self.keys = keys

    def issue(self, principal: Principal, now: datetime | None = None) -> AccessToken:
        issued = now or clock.now()
        expires = issued + timedelta(seconds=self.keys.ttl_seconds)
        claims = {
            "iss": self.keys.issuer,
            "aud": self.keys.audience,
            "sub": str(principal.user_id),
            "iat": issued,
            "exp": expires,
            "jti": secrets.token_urlsafe(16),
            "role": principal.role.value,
            "agency": str(principal.agency_id) if principal.agency_id else None,
        }
        token = jwt.encode(claims, self.keys.signing_key, algorithm=self.keys.algorithm, headers={"typ": "at+jwt"})
        return AccessToken(token=token, expires_in=self.keys.ttl_seconds, expires_at=expires)

    def decode(self, token: str) -> Principal:
        """The principal a token claims to be; `Unauthenticated` for anything forged, expired or malformed."""
        try:
            claims = jwt.decode(
                token,
                self.keys.verifying_key,
                algorithms=[self.keys.algorithm],
                audience=self.keys.audience,
                issuer=self.keys.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
            return Principal(
                user_id=uuid.UUID(claims["sub"]),
                role=Role(claims["role"]),
                agency_id=uuid.UUID(claims["agency"]) if claims.get("agency") else None,
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("The access token has expired; refresh the session.", reason="expired") from None
        except (jwt.PyJWTError, KeyError, ValueError, TypeError):
            raise Unauthenticated("The access token is not valid.", reason="invalid") from None
