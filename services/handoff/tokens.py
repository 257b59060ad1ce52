"""Link tokens are 256 random bits shown once; only their SHA-256 is stored, so a leaked table opens no link."""

from __future__ import annotations

import hashlib


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()
