"""Sign-in's parts, built from settings: the token codec, the sign-in providers, and the rules of sessions and codes.

This is the only place that picks a provider implementation; everything past it sees `auth.providers.Providers`.
"""

from __future__ import annotations

from auth.providers import Providers
from auth.providers.base import SignInProvider
from auth.providers.otp import DevOutbox
from auth.providers.zalo import DevZaloVerifier, HttpZaloVerifier, ZaloApps
from auth.tokens import TokenCodec, TokenKeys
from core.settings import Settings
from services.accounts.rules import SignInRules


def token_codec(settings: Settings) -> TokenCodec:
    """HS256 signs and verifies with the one secret; RS256 and EdDSA read their key files (checked by Settings)."""
    if settings.jwt_algorithm == "HS256":
        signing: str | bytes = settings.jwt_secret
        verifying: str | bytes = settings.jwt_secret
    else:
        assert settings.jwt_private_key_file is not None
        assert settings.jwt_public_key_file is not None
        signing = settings.jwt_private_key_file.read_bytes()
        verifying = settings.jwt_public_key_file.read_bytes()
    return TokenCodec(
        TokenKeys(
            algorithm=settings.jwt_algorithm,
            signing_key=signing,
            verifying_key=verifying,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl_seconds=settings.access_token_ttl_seconds,
        )
    )


def providers(settings: Settings) -> Providers:
    """One Zalo verifier per mini-app/OA of the settings, each with that app's secret key (issue 19). Identities of
    the default app are stored under the empty key (`services.notifications.routing`)."""
    verifiers: dict[str, SignInProvider] = {}
    for oa in settings.zalo_accounts:
        app = "" if oa.key == settings.zalo_default_oa else oa.key
        verifiers[oa.key] = (
            HttpZaloVerifier(settings.zalo_api_url, oa.secret_key, app=app)
            if settings.zalo_verifier == "http"
            else DevZaloVerifier(app=app)
        )
    return Providers(zalo_apps=ZaloApps(settings.zalo_default_oa, verifiers), otp_sender=dev_sms_outbox(settings))


def dev_sms_outbox(settings: Settings) -> DevOutbox | None:
    """The file sign-in codes go to outside production (`OTP_SENDER=outbox`); None when codes are not sent."""
    if settings.otp_sender != "outbox":
        return None
    return DevOutbox(str(settings.var_dir / "dev-outbox.jsonl"))


def sign_in_rules(settings: Settings) -> SignInRules:
    return SignInRules(
        session_secret=settings.session_secret,
        refresh_token_ttl_seconds=settings.refresh_token_ttl_seconds,
        refresh_grace_seconds=settings.refresh_grace_seconds,
        otp_ttl_seconds=settings.otp_ttl_seconds,
        otp_max_attempts=settings.otp_max_attempts,
        otp_resend_seconds=settings.otp_resend_seconds,
        otp_phone_limit_per_hour=settings.otp_phone_limit_per_hour,
        otp_address_limit_per_hour=settings.otp_address_limit_per_hour,
        login_max_failures=settings.login_max_failures,
        login_account_max_failures=settings.login_account_max_failures,
        login_address_max_failures=settings.login_address_max_failures,
        login_lockout_seconds=settings.login_lockout_seconds,
    )
