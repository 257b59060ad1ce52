"""The access tokens of the Zalo OAs, shared by every worker and refreshed before they expire.

Zalo's OA access token lasts about 25 hours; a refresh token (valid for months) buys a new pair at
`POST {ZALO_OAUTH_URL}/oa/access_token` (form `app_id`, `grant_type=refresh_token`, `refresh_token`; header
`secret_key`), and is then spent: refresh tokens rotate, single-use. Two workers refreshing with the same refresh
token would leave one of them, and then every worker, with a dead chain. So the current pair lives in one row per OA
(`ZaloOaToken`), encrypted with Fernet (AES-128-CBC with HMAC-SHA256) under a key from ZALO_OA_TOKEN_KEY, and a
refresh happens inside a transaction whose first statement writes that row: on PostgreSQL the write takes the row's
lock, on SQLite the database's write lock, so a second worker needing a token meanwhile waits, then reads the new
one and makes no call of its own. Exactly one refresh call, however many workers.

The row starts from the settings' refresh token; a different one there later (the operator authorised the OA again
after the chain broke) starts it again. An OA configured with an access token alone (the single-OA settings of
before) uses it as it is, without refresh.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from cryptography.fernet import Fernet, InvalidToken
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core import clock
from models.notifications import ZaloOaToken
from services.notifications.base import DeliveryFailed, ProviderUnavailable

logger = logging.getLogger("phananh.notifications")
TIMEOUT_SECONDS = 10.0
NEVER = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class OaCredentials:
    """One OA as the sender needs it; `key` as stored (the default OA's is empty)."""

    key: str
    app_id: str = ""
    secret_key: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)


class TokenCipher:
    """Fernet under a key derived from any secret of 32 bytes or more, so the setting may be any random string."""

    def __init__(self, secret: str) -> None:
        self.fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))

    def seal(self, token: str) -> str:
        return self.fernet.encrypt(token.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self.fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise DeliveryFailed("the stored Zalo OA tokens cannot be read with ZALO_OA_TOKEN_KEY") from None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class OaTokens:
    def __init__(
        self, oauth_url: str, accounts: Mapping[str, OaCredentials], cipher: TokenCipher, margin: timedelta
    ) -> None:
        self.oauth_url = oauth_url.rstrip("/")
        self.accounts = dict(accounts)
        self.cipher = cipher
        self.margin = margin

    async def access_token(self, oa: str) -> str:
        """A token valid for at least `margin` more; refreshed (once, across workers) when it is not."""
        account = self.accounts.get(oa)
        if account is None:
            raise DeliveryFailed(f"no Zalo OA {oa or 'default'!r} is configured")
        if account.refresh_token is None:
            if account.access_token is None:
                raise DeliveryFailed(f"Zalo OA {oa or 'default'!r} has no access or refresh token configured")
            return account.access_token
        row = await ZaloOaToken.get_or_none(oa=oa)
        if row is not None and self._fresh(row, account.refresh_token):
            return self.cipher.open(row.access_token)
        return await self._refresh(account, account.refresh_token)

    def _fresh(self, row: ZaloOaToken, seed: str) -> bool:
        return row.seeded_from == _digest(seed) and row.expires_at - self.margin > clock.now()

    async def _refresh(self, account: OaCredentials, seed: str) -> str:
        # The row to lock; another worker (or an earlier run) may have made it already.
        with contextlib.suppress(IntegrityError):
            await ZaloOaToken.create(
                oa=account.key,
                access_token=self.cipher.seal(""),
                refresh_token=self.cipher.seal(seed),
                expires_at=NEVER,
                seeded_from=_digest(seed),
            )
        async with in_transaction() as connection:
            # The lock: the transaction's first statement writes the row (see the module's docstring).
            await ZaloOaToken.filter(oa=account.key).using_db(connection).update(lock_version=F("lock_version") + 1)
            row = await ZaloOaToken.filter(oa=account.key).using_db(connection).get()
            if self._fresh(row, seed):
                return self.cipher.open(row.access_token)
            spent = self.cipher.open(row.refresh_token) if row.seeded_from == _digest(seed) else seed
            access, refresh, lifetime = await self._call(account, spent)
            now = clock.now()
            await (
                ZaloOaToken.filter(oa=account.key)
                .using_db(connection)
                .update(
                    access_token=self.cipher.seal(access),
                    refresh_token=self.cipher.seal(refresh),
                    expires_at=now + timedelta(seconds=lifetime),
                    seeded_from=_digest(seed),
                    refreshed_at=now,
                )
            )
        logger.info("Zalo OA %s: access token refreshed, valid for %s s", account.key or "default", lifetime)
        return access

    async def _call(self, account: OaCredentials, refresh_token: str) -> tuple[str, str, int]:
        """Zalo's answer: a new access token, the next refresh token, and the access token's life in seconds."""
        form = {"app_id": account.app_id, "grant_type": "refresh_token", "refresh_token": refresh_token}
        headers = {"secret_key": account.secret_key or ""}
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
                response = await client.post(f"{self.oauth_url}/oa/access_token", data=form, headers=headers)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"Zalo OAuth unreachable: {type(exc).__name__}") from None
        if response.status_code >= httpx.codes.INTERNAL_SERVER_ERROR or response.status_code == 429:
            raise ProviderUnavailable(f"Zalo OAuth answered HTTP {response.status_code}")
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not body.get("access_token") or not body.get("refresh_token"):
            error = body.get("error") if isinstance(body, dict) else None
            logger.error("Zalo OA %s: the refresh was refused (error %s); authorise the OA again", account.key, error)
            raise DeliveryFailed(f"Zalo refused to refresh the token of OA {account.key or 'default'!r}: error {error}")
        try:
            lifetime = int(body.get("expires_in", 0))
        except (TypeError, ValueError):
            lifetime = 0
        return str(body["access_token"]), str(body["refresh_token"]), lifetime if lifetime > 0 else 3600
