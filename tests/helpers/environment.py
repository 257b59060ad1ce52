"""The test environment: settings as the app reads them, and the real services a test needs (skipped when missing
outside CI, failed under CI)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.settings import Settings


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require_service(name: str, error: BaseException) -> None:
    """Skip locally when a real service is missing; fail under CI, where it must be there."""
    message = f"{name} is not available: {error}"
    if in_ci():
        pytest.fail(f"{message} (CI=true: real services are required)")
    pytest.skip(message)


# An Ed25519 private key for tests only (`openssl genpkey -algorithm ed25519`).
TEST_EVIDENCE_SIGNING_KEY = """-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEINnJhKvIGp7AdjtKv9BNQ0ce1yMTZIwgODgA8P6N/Mhp
-----END PRIVATE KEY-----"""

# What a valid production environment needs beyond the database, for tests of production behaviour.
PRODUCTION_ENV = {
    "APP_ENV": "production",
    "JWT_SECRET": "p" * 48,
    "SESSION_SECRET": "q" * 48,
    "EVIDENCE_SIGNING_KEY": TEST_EVIDENCE_SIGNING_KEY,
    "CITY_APP_HANDOFF_URL": "https://ihanoi.example/handoff",
}


def make_settings(database_url: str, var_dir: Path, **overrides: str) -> Settings:
    env = {
        "APP_ENV": "test",
        "DATABASE_URL": database_url,
        "STORAGE_URL": f"file://{var_dir / 'media'}",
        "EVENTS_URL": "memory://",
        "VAR_DIR": str(var_dir),
        # The whole suite reads anonymously from one address; tests of the throttle set their own rate.
        "ANONYMOUS_REQUESTS_PER_MINUTE": "1000000",
        **overrides,
    }
    return Settings.from_env(env)
