"""Sign-in providers: each turns a credential from an outside party into a verified identity.

Which implementation runs is chosen from settings by `api.signin`, never from the credential itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from auth.providers.base import SignInProvider
from auth.providers.otp import OtpSender


@dataclass(frozen=True)
class Providers:
    zalo: SignInProvider
    otp_sender: OtpSender | None
