"""docker-compose.yml cannot be run here (no Docker engine), so it is validated for what production relies on."""

from __future__ import annotations

from typing import Any

import yaml

from api.settings import Settings
from tests.servers import REPO


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    return loaded


def test_compose_runs_the_production_stack() -> None:
    services = _compose()["services"]
    assert {"api", "migrate", "postgres", "redis", "minio", "bucket"} <= set(services)
    api = services["api"]
    assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "readyz" in " ".join(api["healthcheck"]["test"])
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"


def test_compose_environment_is_valid_production_settings() -> None:
    env = {
        key: str(value).replace("${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}", "pw")
        for key, value in _compose()["services"]["api"]["environment"].items()
    }
    env["JWT_SECRET"] = "x" * 48
    settings = Settings.from_env(env)
    assert settings.is_production
    assert settings.database_url.startswith("postgres://")
    assert settings.storage_url.startswith("s3://")
    assert settings.events_url.startswith("redis://")
    assert settings.s3_endpoint_url == "http://minio:9000"


def test_secrets_are_required_not_defaulted() -> None:
    text = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    for secret in ("JWT_SECRET", "POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD"):
        assert f"${{{secret}:?" in text
