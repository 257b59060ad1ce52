"""Sign-in providers: each turns a credential from an outside party into a verified identity.

Which implementation runs is chosen here, from settings, never from the credential itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from auth.providers.base import SignInProvider
from auth.providers.otp import DevOutbox, OtpSender
from auth.providers.zalo import DevZaloVerifier, HttpZaloVerifier
from core.settings import Settings


@dataclass(frozen=True)
class Providers:
    zalo: SignInProvider
    otp_sender: OtpSender | None


def build_providers(settings: Settings) -> Providers:
    zalo: SignInProvider = (
        HttpZaloVerifier(settings.zalo_api_url, settings.zalo_app_secret)
        if settings.zalo_verifier == "http"
        else DevZaloVerifier()
    )
    sender = DevOutbox(outbox_path(settings)) if settings.otp_sender == "outbox" else None
    return Providers(zalo=zalo, otp_sender=sender)


def outbox_path(settings: Settings) -> str:
    return str(settings.var_dir / "dev-outbox.jsonl")
