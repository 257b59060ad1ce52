"""Joining the Zalo and city-app accounts of one citizen through a handoff link: offered, shown, confirmed (issue 14).

Redeeming a link never joins anything: whoever made a link can send it to anyone, so the redeemer's account must not
follow it. A join needs proof from both sides that they are one person, and both consents:
- the Zalo side offers it when making the link, proving a phone number with a code `requestOtp` sent to it
  (`PhoneProof`); the link keeps that number;
- the city-app side holds that same number as its verified sign-in phone (an OTP identity), redeemed the link, and
  confirms with `confirm_account_join`, naming the Zalo account it was shown, before the confirmation window ends.
A stranger's link offers a stranger's number, so it can never be confirmed by the victim; a leaked link of the
victim's can only be confirmed by an account that signs in with the victim's phone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tortoise.transactions import in_transaction

from auth.phones import normalise_phone
from auth.principal import Principal
from core import clock
from core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from core.ids import parse_uuid
from models.enums import IdentityProvider
from models.handoff import Handoff
from models.users import AccountJoin, Identity, User
from services.accounts.joining import join_accounts
from services.accounts.otp import verify_otp
from services.accounts.rules import SignInRules
from services.common import policies
from services.handoff.tokens import token_hash


class JoinOfferStatus(StrEnum):
    CONFIRMABLE = "CONFIRMABLE"
    PHONE_MISMATCH = "PHONE_MISMATCH"
    SAME_ACCOUNT = "SAME_ACCOUNT"


@dataclass(frozen=True)
class PhoneProof:
    """A phone number and the sign-in code sent to it: how the Zalo side proves the number it offers to join."""

    sign_in: SignInRules
    phone: str
    code: str

    async def verify(self) -> str:
        """The canonical number; a wrong or spent code is the caller's input to fix, not a lost session."""
        try:
            normalise_phone(self.phone)
        except InvalidInput as bad:
            raise InvalidInput(bad.message, field="joinPhone.phone") from None
        try:
            return await verify_otp(self.sign_in, self.phone, self.code)
        except Unauthenticated as wrong:
            raise InvalidInput(wrong.message, field="joinPhone.code", reason=wrong.extensions["reason"]) from None


@dataclass(frozen=True)
class JoinOffer:
    """What the redeemer is told about a link's join offer. The Zalo account is named only to the holder of the
    offered phone: anyone else learns that the number is not theirs, and nothing about who made the link."""

    status: JoinOfferStatus
    confirm_before: datetime
    zalo_account_id: uuid.UUID | None = None
    zalo_name: str | None = None


def confirm_deadline(handoff: Handoff, ttl_seconds: int) -> datetime:
    """A join is confirmed within one link lifetime of redeeming it, while the citizen is still at the form."""
    assert handoff.redeemed_at is not None
    return handoff.redeemed_at + timedelta(seconds=ttl_seconds)


async def offer_for(handoff: Handoff, creator: User, redeemer_id: uuid.UUID, ttl_seconds: int) -> JoinOffer | None:
    if handoff.join_phone is None:
        return None
    deadline = confirm_deadline(handoff, ttl_seconds)
    keep_id = creator.merged_into_id or creator.id
    if keep_id == redeemer_id:
        return JoinOffer(JoinOfferStatus.SAME_ACCOUNT, deadline)
    if not await _holds_phone(redeemer_id, handoff.join_phone):
        return JoinOffer(JoinOfferStatus.PHONE_MISMATCH, deadline)
    return JoinOffer(JoinOfferStatus.CONFIRMABLE, deadline, zalo_account_id=keep_id, zalo_name=creator.full_name)


async def confirm_account_join(
    principal: Principal, token: str, zalo_account_id: str, ttl_seconds: int, now: datetime | None = None
) -> AccountJoin:
    """Join the redeemer's account into the Zalo account that offered it. Confirming again after success answers the
    same join, so a client may retry; a link joins once, so a join an administrator split stays split."""
    policies.require(policies.is_citizen(principal), "Only citizens join their accounts.")
    now = now or clock.now()
    handoff = await Handoff.get_or_none(token_hash=token_hash(token))
    if handoff is None:
        raise NotFound("This link is not valid.", field="token", reason="unknown")
    done = await AccountJoin.get_or_none(handoff_id=handoff.id)
    if done is not None:
        if done.split_at is None and done.into_id == principal.user_id:
            return done
        raise Conflict("This link has joined accounts already.", field="token", reason="already_joined")
    if handoff.join_phone is None:
        raise Conflict("This link offers no join of accounts.", field="token", reason="no_join_offered")
    if handoff.redeemed_by_id is None or handoff.redeemed_at is None:
        raise Conflict("Open the link first.", field="token", reason="not_redeemed")
    if handoff.redeemed_by_id != principal.user_id:
        raise Forbidden("Only the account that opened this link may join it.", reason="not_redeemer")
    if confirm_deadline(handoff, ttl_seconds) <= now:
        raise Conflict("This offer has expired; make a new link in Zalo.", field="token", reason="expired")
    creator = await User.get(id=handoff.creator_id)
    keep_id = creator.merged_into_id or creator.id
    if parse_uuid(zalo_account_id) != keep_id:
        raise InvalidInput("This is not the Zalo account the link offers.", field="zaloAccountId")
    if keep_id == principal.user_id:
        raise Conflict("These are already one account.", field="token", reason="same_account")
    if not await _holds_phone(principal.user_id, handoff.join_phone):
        raise Forbidden(
            "Sign in with the phone number the Zalo account proved to join these accounts.", reason="phone_mismatch"
        )
    async with in_transaction() as connection:
        return await join_accounts(
            connection, principal, keep_id, principal.user_id, phone=handoff.join_phone, handoff_id=handoff.id, now=now
        )


async def _holds_phone(user_id: uuid.UUID, phone: str) -> bool:
    """The account signs in with this phone by a code: a number a sign-in provider merely reported does not count."""
    return await Identity.exists(user_id=user_id, provider=IdentityProvider.PHONE, subject=phone)
