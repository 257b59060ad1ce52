"""The development notifier: each message becomes one JSON line in `$VAR_DIR/dev-notifications.jsonl`, readable with
`phananh notifications` and `GET /dev/notifications`. Refused in production by the settings."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from core import clock
from services.notifications.base import OutgoingMessage


class DevNotificationOutbox:
    def __init__(self, path: Path) -> None:
        self.path = path

    async def send(self, message: OutgoingMessage) -> None:
        line = {
            "channel": message.channel,
            "oa": message.oa,
            "to": message.recipient,
            "text": message.text,
            "payload": message.payload,
            "sentAt": clock.now().isoformat(),
        }
        await asyncio.to_thread(self._append, json.dumps(line, ensure_ascii=False))

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as outbox:
            outbox.write(line + "\n")

    def read(self, recipient: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """The latest messages first, optionally for one recipient."""
        if not self.path.is_file():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        messages = [json.loads(line) for line in lines if line.strip()]
        if recipient is not None:
            messages = [m for m in messages if m.get("to") == recipient]
        return list(reversed(messages))[:limit]
