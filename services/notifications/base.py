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
    # The Zalo OA to send through, as stored (the default OA's key is empty); the recipient is a user id of its app.
    oa: str = ""


class DeliveryFailed(Exception):
    """The channel did not take the message; the dispatcher retries later. The text is stored as `last_error`, so it
    must never carry a secret."""


class ProviderUnavailable(DeliveryFailed):
    """The channel itself is out of reach (no connection, a timeout, a 5xx or 429 answer): not this message's fault.
    The dispatcher stops the round there, since the next messages would fail the same way, and the sender backs off."""


class Notifier(Protocol):
    async def send(self, message: OutgoingMessage) -> None:
        """Deliver or raise `DeliveryFailed`."""
