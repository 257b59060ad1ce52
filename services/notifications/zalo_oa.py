"""Answers through the Zalo Official Account message API (consultation messages to a Zalo user id), each through
the OA the notification names, with that OA's access token (`tokens`; a fixed token for the single-OA setup).

Zalo answers HTTP 200 with `{"error": 0}` on success and a non-zero `error` with a `message` otherwise; both that and
any transport failure become `DeliveryFailed`, which the dispatcher retries; a transport failure, a 5xx or a 429 is
`ProviderUnavailable`, on which the sender also backs off. The OA access token travels in the
`access_token` header and is never written to `last_error` or the logs. What the texts may hold: `messages`.
"""

from __future__ import annotations

from typing import Protocol

import httpx

from services.notifications.base import DeliveryFailed, OutgoingMessage, ProviderUnavailable

TIMEOUT_SECONDS = 10.0


class TokenSource(Protocol):
    async def access_token(self, oa: str) -> str:
        """A valid access token of the OA (stored key); `DeliveryFailed` when there is none."""
        ...


class FixedToken:
    """One access token for every message: the single-OA setup of before (ZALO_OA_ACCESS_TOKEN, no refresh)."""

    def __init__(self, token: str) -> None:
        self.token = token

    async def access_token(self, oa: str) -> str:
        return self.token


class ZaloOaNotifier:
    def __init__(self, api_url: str, tokens: str | TokenSource) -> None:
        self.api_url = api_url.rstrip("/")
        self.tokens: TokenSource = FixedToken(tokens) if isinstance(tokens, str) else tokens

    async def send(self, message: OutgoingMessage) -> None:
        access_token = await self.tokens.access_token(message.oa)
        body = {"recipient": {"user_id": message.recipient}, "message": {"text": message.text}}
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
                response = await client.post(
                    f"{self.api_url}/message/cs", json=body, headers={"access_token": access_token}
                )
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"Zalo OA unreachable: {type(exc).__name__}") from None
        if (
            response.status_code >= httpx.codes.INTERNAL_SERVER_ERROR
            or response.status_code == httpx.codes.TOO_MANY_REQUESTS
        ):
            raise ProviderUnavailable(f"Zalo OA answered HTTP {response.status_code}")
        if response.status_code != httpx.codes.OK:
            raise DeliveryFailed(f"Zalo OA answered HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError:
            raise DeliveryFailed("Zalo OA answered something that is not JSON") from None
        if not isinstance(answer, dict) or answer.get("error") != 0:
            error = answer.get("error") if isinstance(answer, dict) else None
            text = str(answer.get("message", ""))[:200] if isinstance(answer, dict) else ""
            raise DeliveryFailed(f"Zalo OA refused the message: error {error} {text}".strip())
