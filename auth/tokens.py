"""Access tokens (JWT, RFC 8725): one pinned algorithm, every registered claim required, short-lived.

The role and agency inside a token are a convenience for clients; the server re-reads the user on every request
(`auth.authentication`), so a disabled account or a changed role takes effect at once.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from auth.principal import Principal
from core import clock
from core.errors import Unauthenticated
from core.settings import Settings
from models.enums import Role

REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat", "jti"]
LEEWAY_SECONDS = 10


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_in: int
    expires_at: datetime


class TokenCodec:
    """Signs and verifies access tokens with the keys from settings, read once when the app starts."""

    def __init__(self, settings: Settings) -> None:
        self.algorithm = settings.jwt_algorithm
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.ttl = settings.access_token_ttl_seconds
        if self.algorithm == "HS256":
            self._signing_key: str | bytes = settings.jwt_secret
            self._verifying_key: str | bytes = settings.jwt_secret
        else:
            assert settings.jwt_private_key_file is not None  # both key files are checked by Settings.validate
            assert settings.jwt_public_key_file is not None
            self._signing_key = settings.jwt_private_key_file.read_bytes()
            self._verifying_key = settings.jwt_public_key_file.read_bytes()

    def issue(self, principal: Principal, now: datetime | None = None) -> AccessToken:
        issued = now or clock.now()
        expires = issued + timedelta(seconds=self.ttl)
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(principal.user_id),
            "iat": issued,
            "exp": expires,
            "jti": secrets.token_urlsafe(16),
            "role": principal.role.value,
            "agency": str(principal.agency_id) if principal.agency_id else None,
        }
        token = jwt.encode(claims, self._signing_key, algorithm=self.algorithm, headers={"typ": "at+jwt"})
        return AccessToken(token=token, expires_in=self.ttl, expires_at=expires)

    def decode(self, token: str) -> Principal:
        """The principal a token claims to be; `Unauthenticated` for anything forged, expired or malformed."""
        try:
            claims = jwt.decode(
                token,
                self._verifying_key,
                algorithms=[self.algorithm],
                audience=self.audience,
                issuer=self.issuer,
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
