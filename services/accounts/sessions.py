"""Sessions: a short-lived access token plus a rotating refresh token (OAuth 2.0 Security BCP, section 4.14).

A refresh token is 256 random bits shown once to the client; only its SHA-256 is stored. Each use replaces it with
the next link of its family (the session); presenting a used link again means it was copied, so the whole family is
revoked. The next link is HMAC(SESSION_SECRET, previous token): the server can hand the same pair again to a client
that lost the response within REFRESH_GRACE_SECONDS without keeping any token in clear, and a thief holding an old
token cannot compute its successor.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from auth.principal import Principal
from auth.tokens import TokenCodec
from core import clock
from core.errors import Unauthenticated
from models.users import RefreshToken, User
from services.accounts.rules import SignInRules


@dataclass(frozen=True)
class Session:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _successor(rules: SignInRules, token: str) -> str:
    digest = hmac.new(rules.session_secret.encode(), f"refresh:{token}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _ended(reason: str) -> Unauthenticated:
    return Unauthenticated("This session has ended; sign in again.", reason=reason)


def _issue(codec: TokenCodec, user: User, refresh_token: str) -> Session:
    principal = Principal.of(user)
    access = codec.issue(principal)
    return Session(access_token=access.token, refresh_token=refresh_token, expires_in=access.expires_in, user=user)


async def start_session(rules: SignInRules, codec: TokenCodec, user: User) -> Session:
    token = secrets.token_urlsafe(32)
    expires_at = clock.now() + timedelta(seconds=rules.refresh_token_ttl_seconds)
    await RefreshToken.create(user=user, family=uuid.uuid4(), token_hash=token_hash(token), expires_at=expires_at)
    return _issue(codec, user, token)


async def refresh_session(rules: SignInRules, codec: TokenCodec, refresh_token: str) -> Session:
    """Rotate: the presented link is spent and its successor returned; a spent link outside the grace window revokes
    the session."""
    now = clock.now()
    link = await RefreshToken.get_or_none(token_hash=token_hash(refresh_token)).select_related("user")
    if link is None:
        raise _ended("unknown_refresh_token")
    if link.revoked_at is not None or link.expires_at <= now:
        raise _ended("session_ended")
    if not link.user.is_active:
        await revoke_family(link.family, now)
        raise _ended("inactive")
    successor = _successor(rules, refresh_token)
    async with in_transaction():
        claimed = await RefreshToken.filter(id=link.id, used_at__isnull=True, revoked_at__isnull=True).update(
            used_at=now
        )
        if claimed:
            await RefreshToken.create(
                user_id=link.user_id,
                family=link.family,
                token_hash=token_hash(successor),
                expires_at=now + timedelta(seconds=rules.refresh_token_ttl_seconds),
            )
            return _issue(codec, link.user, successor)
    return await _replay(rules, codec, link, successor, now)


async def _replay(rules: SignInRules, codec: TokenCodec, link: RefreshToken, successor: str, now: datetime) -> Session:
    """A spent link again: the same successor within the grace window if nobody has used it yet, else revocation."""
    await link.refresh_from_db(fields=["used_at", "revoked_at"])
    grace = timedelta(seconds=rules.refresh_grace_seconds)
    if link.revoked_at is None and link.used_at is not None and now - link.used_at <= grace:
        current = await RefreshToken.filter(
            token_hash=token_hash(successor), family=link.family, used_at__isnull=True, revoked_at__isnull=True
        ).exists()
        if current:
            return _issue(codec, link.user, successor)
    await revoke_family(link.family, now)
    raise _ended("refresh_token_reused")


async def logout(refresh_token: str) -> bool:
    """Revoke the session the token belongs to (any link of it proves possession); False if it is unknown."""
    link = await RefreshToken.get_or_none(token_hash=token_hash(refresh_token))
    if link is None:
        return False
    await revoke_family(link.family, clock.now())
    return True


async def revoke_family(family: uuid.UUID, now: datetime) -> None:
    await RefreshToken.filter(family=family, revoked_at__isnull=True).update(revoked_at=now)


async def revoke_user_sessions(user_id: uuid.UUID) -> None:
    """Used when an account is deactivated: its access tokens die at once (checked per request), its sessions too."""
    await RefreshToken.filter(user_id=user_id, revoked_at__isnull=True).update(revoked_at=clock.now())
