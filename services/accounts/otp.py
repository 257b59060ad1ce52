"""Phone sign-in codes: issuing them under rate limits, and checking them under an attempt limit.

Limits exist because each code costs an SMS and six digits fall to guessing: a code lives OTP_TTL_SECONDS and
allows OTP_MAX_ATTEMPTS tries; a phone may ask again after OTP_RESEND_SECONDS and OTP_PHONE_LIMIT_PER_HOUR times an
hour; one client address OTP_ADDRESS_LIMIT_PER_HOUR times an hour across phones. The three are taken together from
`services.common.limits` before anything is sent, so simultaneous requests cannot all pass one count (issue 14). A new
code supersedes older ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from auth.phones import normalise_phone
from auth.providers.otp import OtpSender, code_matches, hash_code, new_code
from core import clock
from core.errors import Forbidden, Unauthenticated
from models.users import OtpChallenge
from services.accounts.rules import SignInRules
from services.common import limits

HOUR_SECONDS = 3600


@dataclass(frozen=True)
class OtpRequest:
    phone: str
    expires_at: datetime
    resend_after: datetime


def _request_limits(rules: SignInRules, phone: str, client_address: str) -> list[limits.Limit]:
    """Each refusal names its cause; a resend wait of 0 means none."""
    address = limits.address_subject(client_address)
    chosen = [
        limits.Limit(
            limits.bucket("otp.phone", phone),
            limits.Quota(rules.otp_phone_limit_per_hour, HOUR_SECONDS),
            "Too many codes were requested for this phone; try again later.",
        ),
        limits.Limit(
            limits.bucket("otp.address", address),
            limits.Quota(rules.otp_address_limit_per_hour, HOUR_SECONDS),
            "Too many codes were requested from this network; try again later.",
        ),
    ]
    if rules.otp_resend_seconds:
        chosen.append(
            limits.Limit(
                limits.bucket("otp.resend", phone),
                limits.Quota(1, rules.otp_resend_seconds),
                "A code was just sent; wait before asking again.",
            )
        )
    return chosen


async def request_otp(rules: SignInRules, sender: OtpSender | None, phone: str, client_address: str) -> OtpRequest:
    canonical = normalise_phone(phone)
    if sender is None:
        raise Forbidden("Sign-in by phone code is not available yet; sign in with Zalo.", reason="otp_disabled")
    await limits.take(*_request_limits(rules, canonical, client_address))
    now = clock.now()
    code = new_code()
    expires_at = now + timedelta(seconds=rules.otp_ttl_seconds)
    async with in_transaction():
        await OtpChallenge.filter(phone=canonical, consumed_at__isnull=True).update(consumed_at=now)
        await OtpChallenge.create(
            phone=canonical,
            code_hash=hash_code(rules.session_secret, canonical, code),
            client_address=client_address[:64],
            created_at=now,
            expires_at=expires_at,
        )
        await sender.send(canonical, code, expires_at)
    return OtpRequest(
        phone=canonical, expires_at=expires_at, resend_after=now + timedelta(seconds=rules.otp_resend_seconds)
    )


async def verify_otp(rules: SignInRules, phone: str, code: str) -> str:
    """The canonical phone the code proves; a wrong, spent, expired or over-tried code proves nothing."""
    canonical = normalise_phone(phone)
    now = clock.now()
    wrong = Unauthenticated("The code is wrong or has expired; request a new one.", reason="invalid_code")
    challenge = (
        await OtpChallenge.filter(phone=canonical, consumed_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    if challenge is None:
        raise wrong
    counted = await OtpChallenge.filter(id=challenge.id, attempts__lt=rules.otp_max_attempts).update(
        attempts=F("attempts") + 1
    )
    if not counted:
        raise Unauthenticated("Too many wrong codes; request a new one.", reason="too_many_attempts")
    if not code_matches(rules.session_secret, canonical, code.strip(), challenge.code_hash):
        raise wrong
    if not await OtpChallenge.filter(id=challenge.id, consumed_at__isnull=True).update(consumed_at=now):
        raise wrong
    return canonical
