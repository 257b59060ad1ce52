"""The dossier's fixed shape, shared by the export and the offline verifier, so the two cannot disagree: the names of
its members, how the manifest is encoded, and the signature document.

`manifest.sig` is a small JSON document rather than the bare 64 signature bytes: besides the signature (base64) it
names the key and the manifest's SHA-256, which lets a verifier tell an altered manifest from an altered signature.
The signature itself is over the exact bytes of `manifest.json`, nothing else, so any Ed25519 tool checks it.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

FORMAT = "phananh.evidence-dossier"
VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
README = "README.txt"
# The two members the manifest cannot list: itself, and the signature over it.
ENVELOPE = frozenset({MANIFEST, SIGNATURE})
# What a file in `files` is: an original as received, or the copy the consoles were served (metadata removed).
ORIGINAL, SERVED, GUIDE = "original", "served", "readme"
# Where a file's SHA-256 comes from: fixed when it was received and checked, or measured at export (only a served copy
# made before its hash was kept; the manifest says which).
FIXED_AT_RECEIPT, MEASURED_AT_EXPORT = "receipt", "export"


def encode_manifest(document: dict[str, Any]) -> bytes:
    """Readable (indented, keys sorted, Vietnamese as is) and deterministic; the signature covers these bytes."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2, allow_nan=False).encode() + b"\n"


@dataclass(frozen=True)
class SignatureDocument:
    algorithm: str
    key_id: str
    manifest_sha256: str
    signature: bytes

    def encode(self) -> bytes:
        return (
            json.dumps(
                {
                    "algorithm": self.algorithm,
                    "keyId": self.key_id,
                    "signed": MANIFEST,
                    "manifestSha256": self.manifest_sha256,
                    "signature": base64.b64encode(self.signature).decode(),
                },
                indent=2,
            ).encode()
            + b"\n"
        )

    @classmethod
    def decode(cls, data: bytes) -> SignatureDocument:
        """Raises ValueError when `data` is not a signature document of this format."""
        try:
            fields = json.loads(data)
            document = cls(
                algorithm=str(fields["algorithm"]),
                key_id=str(fields["keyId"]),
                manifest_sha256=str(fields["manifestSha256"]),
                signature=base64.b64decode(str(fields["signature"]), validate=True),
            )
        except (UnicodeDecodeError, json.JSONDecodeError, binascii.Error, KeyError, TypeError) as exc:
            raise ValueError(f"not a signature document: {exc}") from None
        if fields.get("signed") != MANIFEST:
            raise ValueError(f"it does not sign {MANIFEST}")
        return document
