"""docker-compose.yml cannot be run here (no Docker engine), so it is validated for what production relies on."""

from __future__ import annotations

import re
from typing import Any

import yaml

from core.settings import Settings
from tests.helpers.servers import REPO


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


def _substitute(value: object) -> str:
    """Compose's `${VAR:?message}` gets a stand-in value, `${VAR:-default}` its default."""
    text = re.sub(r"\$\{(\w+):\?[^}]*\}", lambda m: STAND_INS[m.group(1)], str(value))
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", text)


STAND_INS = {
    "POSTGRES_PASSWORD": "pw",
    "MINIO_ROOT_PASSWORD": "minio-pw",
    "JWT_SECRET": "x" * 48,
    "CITY_APP_HANDOFF_URL": "https://ihanoi.example/handoff",
}


def test_compose_environment_is_valid_production_settings() -> None:
    env = {key: _substitute(value) for key, value in _compose()["services"]["api"]["environment"].items()}
    settings = Settings.from_env(env)
    assert settings.is_production
    assert settings.database_url == "postgres://phananh:pw@postgres:5432/phananh"
    assert settings.storage_url.startswith("s3://")
    assert settings.events_url.startswith("redis://")
    assert settings.s3_endpoint_url == "http://minio:9000"
    assert settings.notifier == "disabled"


def test_secrets_are_required_not_defaulted() -> None:
    text = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    for secret in STAND_INS:
        assert f"${{{secret}:?" in text


def test_the_image_holds_every_package_the_app_installs() -> None:
    """A package added to the project but not copied into the image starts fine here and fails in production."""
    installed = re.search(r"include = \[([^\]]*)\]", (REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert installed is not None
    packages = {name.strip().strip('"').rstrip("*") for name in installed.group(1).split(",")}
    copied = set(re.findall(r"^COPY (\w+) \./\1$", (REPO / "Dockerfile").read_text(encoding="utf-8"), re.M))
    assert packages == copied, packages ^ copied
