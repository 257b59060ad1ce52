"""Sign-in providers: each turns a credential from an outside party into a verified identity.

Which implementation runs is chosen from settings by `api.signin`, never from the credential itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from auth.providers.base import SignInProvider
from auth.providers.otp import OtpSender
from auth.providers.zalo import ZaloApps


@dataclass(frozen=True)
class Providers:
    # Every Zalo mini-app/OA by its key (issue 19).
    zalo_apps: ZaloApps
    otp_sender: OtpSender | None

    @property
    def zalo(self) -> SignInProvider:
        """The default mini-app's sign-in, what clients that name no app get."""
        return self.zalo_apps.for_app(None)
