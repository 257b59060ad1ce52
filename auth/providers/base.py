"""The one interface every sign-in provider implements (Zalo now, iHanoi's single sign-on later).

A provider only proves who someone is in its own namespace: `(provider, app, subject)`, the app being the Zalo
mini-app/OA that issued a Zalo user id (Zalo scopes user ids to an app). Turning that into an account is
the job of `services.accounts.signin`, the same for every provider, so a new provider is one new file here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from models.enums import IdentityProvider


@dataclass(frozen=True)
class VerifiedIdentity:
    provider: IdentityProvider
    subject: str
    phone: str | None = None
    full_name: str = ""
    app: str = ""


class SignInProvider(Protocol):
    provider: IdentityProvider

    async def verify(self, credential: str) -> VerifiedIdentity:
        """The identity the credential proves; `core.errors.Unauthenticated` when it proves nothing."""
        ...
