"""The server's evidence signing key, built once from settings at the edge and handed down (`app.state`, the
GraphQL context, the CLI): the services never read settings or build keys themselves."""

from __future__ import annotations

from core.settings import Settings
from services.custody.signing import EvidenceSigner


def evidence_signer(settings: Settings) -> EvidenceSigner:
    """EVIDENCE_SIGNING_KEY when set (required in production); otherwise the development key derived from the
    session secret, so `make run` signs with a stable key and no setup."""
    if settings.evidence_signing_key:
        return EvidenceSigner.from_pem(settings.evidence_signing_key.encode())
    return EvidenceSigner.from_seed(settings.evidence_signing_seed)
