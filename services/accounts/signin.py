"""Signing in: each path proves who the caller is, then `sessions` opens a session.

Citizens are found or created through `Identity(provider, subject)` and nothing else: a Zalo account that reports a
phone number is NOT merged with the account of that phone, because linking needs proof from both sides (issue 9).
Staff sign in with a password; every refusal reads the same, and an unknown username still costs one argon2
verification, so neither the message nor the timing tells whether an account exists.

Failed sign-ins are limited before the password or code is checked, by a take from `services.common.limits` that
succeeding gives back, so a burst of guesses cannot all be checked against one stale count (issue 14). A username
takes from three limits, all counted per username whether or not the account exists:
- per username and client address (LOGIN_MAX_FAILURES): what one address can do to one account, and what a
  mistyping user meets; other addresses are not affected;
- per client address (LOGIN_ADDRESS_MAX_FAILURES, password and code sign-ins together): an address trying many
  usernames or phones is stopped whatever it tries next;
- per username from every address (LOGIN_ACCOUNT_MAX_FAILURES): guessing spread over many addresses. Only this one
  lets strangers lock an account out, and it needs at least LOGIN_ACCOUNT_MAX_FAILURES / LOGIN_MAX_FAILURES
  addresses; an address the account signed in from within KNOWN_ADDRESS_DAYS is exempt from it, so staff at their
  usual office or home still get in (bounded there by the first two limits).
All three windows last LOGIN_LOCKOUT_SECONDS from their first failure.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from auth.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from auth.phones import normalise_phone
from auth.providers.base import SignInProvider, VerifiedIdentity
from auth.tokens import TokenCodec
from core.errors import Unauthenticated
from models.enums import IdentityProvider, Role
from models.users import Identity, User
from services.accounts.otp import verify_otp
from services.accounts.rules import SignInRules
from services.accounts.sessions import Session, start_session
from services.common import limits

KNOWN_ADDRESS_DAYS = 30
WRONG_PASSWORDS = "Too many wrong passwords for this account; wait, or ask an administrator to unlock it."


def _inactive() -> Unauthenticated:
    return Unauthenticated("This account can no longer sign in.", reason="inactive")


async def citizen_for(identity: VerifiedIdentity) -> User:
    """The citizen known by this identity, created on first sign-in. A Zalo identity is looked up in its own app."""
    key: dict[str, Any] = {"provider": identity.provider, "app": identity.app, "subject": identity.subject}
    known = await Identity.get_or_none(**key).select_related("user")
    if known is None:
        try:
            async with in_transaction():
                user = await User.create(role=Role.CITIZEN, phone=identity.phone, full_name=identity.full_name)
                await Identity.create(user=user, **key)
                return user
        except IntegrityError:
            # Two first sign-ins raced; the other one created the identity.
            known = await Identity.get(**key).select_related("user")
    if not known.user.is_active:
        raise _inactive()
    return known.user


async def login_with_provider(
    rules: SignInRules, codec: TokenCodec, provider: SignInProvider, credential: str
) -> Session:
    identity = await provider.verify(credential)
    return await start_session(rules, codec, await citizen_for(identity))


async def login_with_otp(rules: SignInRules, codec: TokenCodec, phone: str, code: str, client_address: str) -> Session:
    canonical = normalise_phone(phone)
    taken = await limits.take(_address_failures(rules, client_address))
    await verify_otp(rules, canonical, code)
    await limits.give_back(*taken)
    identity = VerifiedIdentity(provider=IdentityProvider.PHONE, subject=canonical, phone=canonical)
    return await start_session(rules, codec, await citizen_for(identity))


async def login_with_password(
    rules: SignInRules, codec: TokenCodec, username: str, password: str, client_address: str
) -> Session:
    """A refusal for too many failures is RATE_LIMITED; every other refusal reads as a wrong password."""
    refused = Unauthenticated("Wrong username or password.", reason="bad_credentials")
    name = username.strip().lower()
    address = limits.address_subject(client_address)
    pair = limits.bucket("signin.password", name, address)
    known = limits.bucket("signin.known", name, address)
    failures = [
        limits.Limit(pair, limits.Quota(rules.login_max_failures, rules.login_lockout_seconds), WRONG_PASSWORDS),
        _address_failures(rules, client_address),
    ]
    if not await limits.remembered(known):
        quota = limits.Quota(rules.login_account_max_failures, rules.login_lockout_seconds)
        failures.append(limits.Limit(limits.bucket("signin.password", name), quota, WRONG_PASSWORDS))
    taken = await limits.take(*failures)
    user = await User.get_or_none(username=name)
    if user is None or user.password_hash is None:
        await asyncio.to_thread(verify_password, dummy_hash(), password)
        raise refused
    if not await asyncio.to_thread(verify_password, user.password_hash, password) or not user.is_active:
        raise refused
    await limits.give_back(*taken)
    await limits.clear(pair)
    await limits.remember(known, KNOWN_ADDRESS_DAYS * 24 * 3600)
    if needs_rehash(user.password_hash):
        rehashed = await asyncio.to_thread(hash_password, password)
        await User.filter(id=user.id).update(password_hash=rehashed)
    return await start_session(rules, codec, user)


async def unlock(username: str) -> None:
    """Forget the failed passwords of a username, from every address (an administrator reactivating it)."""
    await limits.clear(limits.bucket("signin.password", username))


def _address_failures(rules: SignInRules, client_address: str) -> limits.Limit:
    return limits.Limit(
        limits.bucket("signin.address", limits.address_subject(client_address)),
        limits.Quota(rules.login_address_max_failures, rules.login_lockout_seconds),
        "Too many failed sign-ins from this network; try again later.",
    )
