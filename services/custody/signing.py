"""The server's evidence signing key (Ed25519): it signs receipts and dossier manifests; anyone verifies offline.

Contract:
- `EvidenceSigner.from_pem(pem)` (the `EVIDENCE_SIGNING_KEY` setting) or `EvidenceSigner.from_seed(seed)` (32 bytes;
  development derives it from the session secret). Built once in `api/` and handed down (app.state, the GraphQL
  context as `evidence_signer`, the CLI); never at import time.
- `signer.key_id`: the RFC 7638 JWK thumbprint of the public key (base64url SHA-256), so a key names itself and a
  rotated key gets a new id. `signer.algorithm` is "EdDSA" (JOSE's name for Ed25519).
- `signer.sign(data) -> bytes`: the 64-byte Ed25519 signature of exactly `data` (deterministic: the same key and
  bytes always give the same signature).
- `signer.public_key_pem()`, `signer.public_jwk()`: what `/.well-known/evidence-signing-key` publishes.
- `verify_signature(public_key_pem, data, signature) -> bool`: needs no database and no settings.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "EdDSA"
CURVE = "Ed25519"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class EvidenceSigner:
    algorithm = ALGORITHM

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key
        self._public_key = private_key.public_key()
        raw = self._public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self._x = _b64url(raw)
        thumbprint_input = json.dumps({"crv": CURVE, "kty": "OKP", "x": self._x}, separators=(",", ":"))
        self.key_id = _b64url(hashlib.sha256(thumbprint_input.encode()).digest())

    @classmethod
    def from_pem(cls, pem: bytes) -> EvidenceSigner:
        """Raises ValueError unless `pem` is an unencrypted Ed25519 private key."""
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the evidence signing key must be an Ed25519 private key")
        return cls(key)

    @classmethod
    def from_seed(cls, seed: bytes) -> EvidenceSigner:
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    def sign(self, data: bytes) -> bytes:
        return self._private_key.sign(data)

    def public_key_pem(self) -> bytes:
        return self._public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def public_jwk(self) -> dict[str, str]:
        return {"kty": "OKP", "crv": CURVE, "x": self._x, "kid": self.key_id, "alg": ALGORITHM, "use": "sig"}

    def __repr__(self) -> str:
        return f"EvidenceSigner(key_id={self.key_id!r})"


def verify_signature(public_key_pem: bytes, data: bytes, signature: bytes) -> bool:
    """True only when `signature` is the Ed25519 signature of exactly `data` by the key in `public_key_pem`."""
    try:
        key = serialization.load_pem_public_key(public_key_pem)
    except ValueError:
        return False
    if not isinstance(key, Ed25519PublicKey):
        return False
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
