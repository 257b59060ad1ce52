"""Signed, expiring download tickets: what is to be produced, for whom, until when.

A ticket is `base64url(JSON).hex(HMAC-SHA256)`, readable by anyone and alterable by no one without the secret. It
names the user, not their role: the route reads the user again at download time, so a link outlives no permission.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core import clock

# Longer than any ticket we issue (a handful of short parameters); the route refuses longer paths unread.
MAX_TICKET_CHARS = 2048


class InvalidTicket(Exception):
    """Altered, signed with another key, malformed or past its deadline."""


@dataclass(frozen=True)
class DownloadTicket:
    kind: str
    params: dict[str, str]
    user_id: uuid.UUID
    expires_at: datetime


@dataclass(frozen=True)
class DownloadLink:
    url: str
    expires_at: datetime


class DownloadSigner:
    """Issues links under `{base_url}/downloads/` and reads their tickets back."""

    def __init__(self, secret: bytes, ttl_seconds: int, base_url: str) -> None:
        self._secret = secret
        self.ttl = timedelta(seconds=ttl_seconds)
        self.base_url = base_url.rstrip("/")

    def _signature(self, payload: str) -> str:
        return hmac.new(self._secret, b"download:" + payload.encode(), hashlib.sha256).hexdigest()

    def issue(self, kind: str, params: Mapping[str, str], user_id: uuid.UUID) -> DownloadLink:
        """The link to one download of `kind` with `params` by `user_id`, and when it stops working."""
        expires_at = (clock.now() + self.ttl).replace(microsecond=0)
        document = {"k": kind, "p": dict(params), "u": str(user_id), "e": int(expires_at.timestamp())}
        payload = base64.urlsafe_b64encode(json.dumps(document, separators=(",", ":")).encode()).decode().rstrip("=")
        return DownloadLink(f"{self.base_url}/downloads/{payload}.{self._signature(payload)}", expires_at)

    def read(self, token: str) -> DownloadTicket:
        payload, _, signature = token.partition(".")
        if len(token) > MAX_TICKET_CHARS or not hmac.compare_digest(self._signature(payload), signature):
            raise InvalidTicket("the download link is not valid")
        try:
            document = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            ticket = DownloadTicket(
                kind=str(document["k"]),
                params={str(name): str(value) for name, value in dict(document["p"]).items()},
                user_id=uuid.UUID(str(document["u"])),
                expires_at=datetime.fromtimestamp(int(document["e"]), UTC),
            )
        except (binascii.Error, ValueError, KeyError, TypeError) as exc:
            raise InvalidTicket("the download link is malformed") from exc
        if ticket.expires_at <= clock.now():
            raise InvalidTicket("the download link has expired")
        return ticket
