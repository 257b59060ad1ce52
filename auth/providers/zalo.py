"""Zalo sign-in for the mini-apps: the client sends the Zalo access token it holds, and we ask Zalo whose it is.

A Zalo user id is scoped to the app that issued it: the same person has one id in the traffic police's mini-app and
another in the road-maintenance board's. Each configured app (a key of the settings' OAs) has its own verifier, and
the identity it proves carries the app's key (`ZaloApps`); a client that names no app signs in to the default one.

Production asks Zalo's Graph API (`GET {ZALO_API_URL}/me`), with the `appsecret_proof` of that app's secret key.
Outside production a dev verifier accepts `dev-zalo:<zaloUserId>` or `dev-zalo:<zaloUserId>:<phone>` so every frontend
can sign in without a Zalo app; settings refuse it in production.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any

import httpx

from auth.phones import normalise_phone
from auth.providers.base import SignInProvider, VerifiedIdentity
from core.errors import InvalidInput, Unauthenticated
from models.enums import IdentityProvider

DEV_PREFIX = "dev-zalo:"
_DEV_TOKEN = re.compile(r"^dev-zalo:([A-Za-z0-9_-]{1,64})(?::([^:]+))?$")
_ZALO_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
TIMEOUT_SECONDS = 5.0


def _refused() -> Unauthenticated:
    return Unauthenticated("Zalo did not confirm this sign-in; open the mini-app again.", reason="provider_refused")


class DevZaloVerifier:
    provider = IdentityProvider.ZALO

    def __init__(self, app: str = "") -> None:
        self.app = app

    async def verify(self, credential: str) -> VerifiedIdentity:
        match = _DEV_TOKEN.match(credential.strip())
        if match is None:
            raise _refused()
        zalo_id, phone = match.groups()
        return VerifiedIdentity(
            provider=self.provider,
            subject=zalo_id,
            phone=normalise_phone(phone) if phone else None,
            full_name=f"Zalo {zalo_id}",
            app=self.app,
        )


class HttpZaloVerifier:
    """Asks Zalo's Graph API who owns an access token. Zalo reports failures as `{"error": n}` with HTTP 200."""

    provider = IdentityProvider.ZALO

    def __init__(self, api_url: str, app_secret: str | None = None, app: str = "") -> None:
        self.api_url = api_url.rstrip("/")
        self.app_secret = app_secret
        self.app = app

    async def verify(self, credential: str) -> VerifiedIdentity:
        token = credential.strip()
        if not token or token.startswith(DEV_PREFIX):
            raise _refused()
        headers = {"access_token": token}
        if self.app_secret:
            headers["appsecret_proof"] = hmac.new(self.app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as http:
                response = await http.get(f"{self.api_url}/me", params={"fields": "id,name"}, headers=headers)
            body: Any = response.json()
        except (httpx.HTTPError, ValueError):
            raise Unauthenticated(
                "Zalo could not be reached to confirm the sign-in; try again.", reason="provider_unavailable"
            ) from None
        if response.status_code != httpx.codes.OK or not isinstance(body, dict) or body.get("error", 0) != 0:
            raise _refused()
        zalo_id = str(body.get("id", ""))
        if not _ZALO_ID.match(zalo_id):
            raise _refused()
        return VerifiedIdentity(
            provider=self.provider, subject=zalo_id, full_name=str(body.get("name", ""))[:200], app=self.app
        )


class ZaloApps:
    """The sign-in of every configured Zalo mini-app/OA, by key; the first key given is the default one."""

    def __init__(self, default: str, verifiers: Mapping[str, SignInProvider]) -> None:
        if default not in verifiers:
            raise ValueError(f"the default Zalo app {default!r} has no verifier")
        self.default = default
        self.verifiers = dict(verifiers)

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self.verifiers)

    def for_app(self, app: str | None, field: str = "app") -> SignInProvider:
        """The verifier of `app` (the default one for None); BAD_USER_INPUT naming the known apps otherwise."""
        key = self.default if app is None else app.strip()
        verifier = self.verifiers.get(key)
        if verifier is None:
            known = ", ".join(sorted(self.verifiers))
            raise InvalidInput(
                f"There is no Zalo mini-app/OA {key[:40]!r}; known: {known}.", field=field, reason="unknown_app"
            )
        return verifier

    def stored(self, app: str, field: str = "app") -> str:
        """How `app` is stored: the empty key for the default one (so the rows of the single-OA days are its)."""
        self.for_app(app, field)
        key = app.strip()
        return "" if key == self.default else key

    def key_of(self, stored: str) -> str:
        """The settings' key of a stored one."""
        return stored or self.default
