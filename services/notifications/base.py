"""What a notifier is: something that delivers one text to one recipient of an outside channel, or says it failed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class OutgoingMessage:
    channel: str
    recipient: str
    text: str
    payload: dict[str, Any]


class DeliveryFailed(Exception):
    """The channel did not take the message; the dispatcher retries later. The text is stored as `last_error`, so it
    must never carry a secret."""


class Notifier(Protocol):
    async def send(self, message: OutgoingMessage) -> None:
        """Deliver or raise `DeliveryFailed`."""
