"""`GET /.well-known/evidence-signing-key`: the public half of the key that signs receipts and evidence dossiers, so
that anyone (a court, a lawyer, the citizen) can check a signature without asking us anything else.

The answer names the key (`kid`, the RFC 7638 thumbprint that receipts carry as `keyId`), the algorithm (EdDSA over
Ed25519, RFC 8032), the key as PEM and as a JWK, and a JWK Set (`keys`) for JOSE libraries. It changes only when the
operator rotates the key, so it is cacheable for an hour.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.custody.signing import EvidenceSigner

PATH = "/.well-known/evidence-signing-key"
CACHE_SECONDS = 3600


async def evidence_signing_key(request: Request) -> JSONResponse:
    signer: EvidenceSigner = request.app.state.evidence_signer
    jwk = signer.public_jwk()
    return JSONResponse(
        {
            "kid": signer.key_id,
            "alg": signer.algorithm,
            "crv": "Ed25519",
            "publicKeyPem": signer.public_key_pem().decode(),
            "jwk": jwk,
            "keys": [jwk],
            "signs": "the exact UTF-8 bytes of a receipt's `document` and of a dossier's manifest",
        },
        headers={"Cache-Control": f"public, max-age={CACHE_SECONDS}"},
    )


def evidence_key_routes() -> list[Route]:
    return [Route(PATH, evidence_signing_key, methods=["GET"])]
