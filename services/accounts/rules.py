"""What signing in needs to know of the settings, and nothing more: built once from settings in `api/`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SignInRules:
    """`session_secret` keys the HMACs of refresh tokens and OTP codes, whatever signs the access tokens."""

    session_secret: str = field(repr=False)
    refresh_token_ttl_seconds: int
    refresh_grace_seconds: int
    otp_ttl_seconds: int
    otp_max_attempts: int
    otp_resend_seconds: int
    otp_phone_limit_per_hour: int
    otp_address_limit_per_hour: int
    login_max_failures: int
    login_account_max_failures: int
    login_address_max_failures: int
    login_lockout_seconds: int
