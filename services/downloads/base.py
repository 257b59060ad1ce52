"""What a producer returns, and what it is."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from auth.principal import Principal
from services.custody.signing import EvidenceSigner
from services.media.storage import Storage


@dataclass(frozen=True)
class Download:
    """A file about to be streamed: its name as the browser should save it, its type, and its bytes in order."""

    filename: str
    content_type: str
    chunks: AsyncIterator[bytes]


@dataclass(frozen=True)
class Resources:
    """What the edge built that a producer may need: the store, and the key that signs evidence with the address
    where its public half is published."""

    storage: Storage
    signer: EvidenceSigner
    key_url: str


class Producer(Protocol):
    async def __call__(self, params: Mapping[str, str], principal: Principal, resources: Resources) -> Download:
        """Check that `principal` may have it (raising domain errors), then return the stream."""
        ...
