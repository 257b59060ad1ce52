"""Signing in: each path proves who the caller is, then `sessions` opens a session.

Citizens are found or created through `Identity(provider, subject)` and nothing else: a Zalo account that reports a
phone number is NOT merged with the account of that phone, because linking needs proof from both sides (issue 9).
Staff sign in with a password; every refusal reads the same, and an unknown username still costs one argon2
verification, so neither the message nor the timing tells whether an account exists.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from auth.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from auth.providers.base import SignInProvider, VerifiedIdentity
from auth.tokens import TokenCodec
from core import clock
from core.errors import Unauthenticated
from models.enums import IdentityProvider, Role
from models.users import Identity, User
from services.accounts.otp import verify_otp
from services.accounts.rules import SignInRules
from services.accounts.sessions import Session, start_session


def _inactive() -> Unauthenticated:
    return Unauthenticated("This account can no longer sign in.", reason="inactive")


async def citizen_for(identity: VerifiedIdentity) -> User:
    """The citizen known by this identity, created on first sign-in."""
    known = await Identity.get_or_none(provider=identity.provider, subject=identity.subject).select_related("user")
    if known is None:
        try:
            async with in_transaction():
                user = await User.create(role=Role.CITIZEN, phone=identity.phone, full_name=identity.full_name)
                await Identity.create(user=user, provider=identity.provider, subject=identity.subject)
                return user
        except IntegrityError:
            # Two first sign-ins raced; the other one created the identity.
            known = await Identity.get(provider=identity.provider, subject=identity.subject).select_related("user")
    if not known.user.is_active:
        raise _inactive()
    return known.user


async def login_with_provider(
    rules: SignInRules, codec: TokenCodec, provider: SignInProvider, credential: str
) -> Session:
    identity = await provider.verify(credential)
    return await start_session(rules, codec, await citizen_for(identity))


async def login_with_otp(rules: SignInRules, codec: TokenCodec, phone: str, code: str) -> Session:
    canonical = await verify_otp(rules, phone, code)
    identity = VerifiedIdentity(provider=IdentityProvider.PHONE, subject=canonical, phone=canonical)
    return await start_session(rules, codec, await citizen_for(identity))


async def login_with_password(rules: SignInRules, codec: TokenCodec, username: str, password: str) -> Session:
    """After LOGIN_MAX_FAILURES wrong passwords an account is locked for LOGIN_LOCKOUT_SECONDS; a locked account is
    refused with the same message as a wrong password."""
    refused = Unauthenticated("Wrong username or password.", reason="bad_credentials")
    now = clock.now()
    user = await User.get_or_none(username=username.strip().lower())
    if user is None or user.password_hash is None:
        await asyncio.to_thread(verify_password, dummy_hash(), password)
        raise refused
    correct = await asyncio.to_thread(verify_password, user.password_hash, password)
    if not user.is_active or (user.locked_until is not None and user.locked_until > now):
        raise refused
    if not correct:
        await _record_failure(rules, user, now)
        raise refused
    changes: dict[str, object] = {}
    if user.failed_login_count or user.locked_until is not None:
        changes.update(failed_login_count=0, locked_until=None)
    if needs_rehash(user.password_hash):
        changes["password_hash"] = await asyncio.to_thread(hash_password, password)
    if changes:
        await User.filter(id=user.id).update(**changes)
    return await start_session(rules, codec, user)


async def _record_failure(rules: SignInRules, user: User, now: datetime) -> None:
    await User.filter(id=user.id).update(failed_login_count=F("failed_login_count") + 1)
    failures = await User.filter(id=user.id).values_list("failed_login_count", flat=True)
    if failures and int(failures[0]) >= rules.login_max_failures:  # type: ignore[call-overload]
        await User.filter(id=user.id).update(
            failed_login_count=0, locked_until=now + timedelta(seconds=rules.login_lockout_seconds)
        )
