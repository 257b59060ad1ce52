"""HMAC-signed, expiring tokens for the local store: its upload policies and its GET URLs.

They play the part of S3's policy signature and presigned URLs, so the local endpoint grants exactly what S3 would:
one key, one content type, a size range, until a deadline.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from dataclasses import dataclass


class InvalidSignature(Exception):
    """The token was altered, signed with another key, or is past its deadline."""


@dataclass(frozen=True)
class UploadPolicy:
    key: str
    content_type: str
    max_bytes: int
    expires: int


def _sign(secret: bytes, message: bytes) -> str:
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def encode_policy(secret: bytes, policy: UploadPolicy) -> tuple[str, str]:
    """The policy as (base64 document, signature), the two form fields a client sends back unchanged."""
    document = json.dumps(
        {"key": policy.key, "contentType": policy.content_type, "maxBytes": policy.max_bytes, "expires": policy.expires}
    ).encode()
    encoded = base64.urlsafe_b64encode(document).decode()
    return encoded, _sign(secret, b"policy:" + encoded.encode())


def decode_policy(secret: bytes, encoded: str, signature: str, now: float | None = None) -> UploadPolicy:
    if not hmac.compare_digest(_sign(secret, b"policy:" + encoded.encode()), signature):
        raise InvalidSignature("policy signature does not match")
    try:
        raw = json.loads(base64.urlsafe_b64decode(encoded.encode()))
        policy = UploadPolicy(
            key=str(raw["key"]),
            content_type=str(raw["contentType"]),
            max_bytes=int(raw["maxBytes"]),
            expires=int(raw["expires"]),
        )
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise InvalidSignature("policy is malformed") from exc
    if policy.expires < (time.time() if now is None else now):
        raise InvalidSignature("policy has expired")
    return policy


def sign_url(secret: bytes, key: str, content_type: str, expires: int) -> str:
    return _sign(secret, f"get:{key}:{content_type}:{expires}".encode())


def verify_url(secret: bytes, key: str, content_type: str, expires: int, signature: str) -> None:
    if not hmac.compare_digest(sign_url(secret, key, content_type, expires), signature):
        raise InvalidSignature("URL signature does not match")
    if expires < time.time():
        raise InvalidSignature("URL has expired")
