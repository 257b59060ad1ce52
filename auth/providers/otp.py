"""One-time sign-in codes sent by SMS: how codes are made and kept, and who delivers them.

Codes are six digits from `secrets`, stored only as an HMAC keyed by SESSION_SECRET and bound to the phone, so a
leaked table does not give the codes away by a million-guess brute force. No SMS vendor is integrated yet: outside
production codes go to a local outbox file (`phananh outbox`, `GET /dev/outbox`); production has no sender until one
is added behind `OtpSender`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from core import clock

CODE_DIGITS = 6


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def hash_code(secret: str, phone: str, code: str) -> str:
    return hmac.new(secret.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def code_matches(secret: str, phone: str, code: str, code_hash: str) -> bool:
    return hmac.compare_digest(hash_code(secret, phone, code), code_hash)


class OtpSender(Protocol):
    async def send(self, phone: str, code: str, expires_at: datetime) -> None: ...


class DevOutbox:
    """Appends each message as one JSON line to a file under VAR_DIR; readable by developers, never in production."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    async def send(self, phone: str, code: str, expires_at: datetime) -> None:
        message = {
            "to": phone,
            "code": code,
            "text": f"Ma dang nhap Phan anh giao thong: {code}",
            "sentAt": clock.now().isoformat(),
            "expiresAt": expires_at.isoformat(),
        }
        await asyncio.to_thread(self._append, json.dumps(message, ensure_ascii=False))

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as outbox:
            outbox.write(line + "\n")

    def read(self, phone: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """The latest messages first, optionally for one (canonical) phone."""
        if not self.path.is_file():
            return []
        messages = [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if phone is not None:
            messages = [m for m in messages if m.get("to") == phone]
        return list(reversed(messages))[:limit]
