"""Settings come from the environment only, and production refuses to start on unsafe ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import DEV_JWT_SECRET, AppEnv, Settings, SettingsError
from tests.helpers.environment import PRODUCTION_ENV

STRONG = "s3cr3t-" + "x" * 40


def test_defaults_are_the_embedded_setup(tmp_path: Path) -> None:
    settings = Settings.from_env({"VAR_DIR": str(tmp_path)})
    assert settings.app_env is AppEnv.DEV
    assert settings.database_url == f"sqlite://{tmp_path / 'db.sqlite3'}"
    assert settings.storage_url == f"file://{tmp_path / 'media'}"
    assert settings.events_url == "memory://"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.access_token_ttl_seconds == 15 * 60


def test_port_and_urls_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "PORT": "8123",
            "DATABASE_URL": "postgres://u:p@db:5432/x",
            "STORAGE_URL": "s3://bucket",
            "EVENTS_URL": "redis://r:6379/0",
        }
    )
    assert settings.port == 8123
    assert settings.public_url == "http://127.0.0.1:8123"
    assert settings.database_url.startswith("postgres://")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"APP_ENV": "staging"}, "APP_ENV"),
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"STORAGE_URL": "ftp://x"}, "STORAGE_URL"),
        ({"EVENTS_URL": "kafka://x"}, "EVENTS_URL"),
        ({"JWT_SECRET": "short"}, "JWT_SECRET"),
        ({"JWT_ALGORITHM": "none"}, "JWT_ALGORITHM"),
        ({"JWT_ALGORITHM": "RS256"}, "JWT_PRIVATE_KEY_FILE"),
        ({"ACCESS_TOKEN_TTL_SECONDS": "0"}, "lifetimes"),
    ],
)
def test_invalid_settings_are_refused_with_a_clear_message(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        (None, "at least 32 bytes"),
        ("", "at least 32 bytes"),
        ("weak", "at least 32 bytes"),
        (DEV_JWT_SECRET, "development"),
    ],
)
def test_production_refuses_a_missing_weak_or_dev_secret(secret: str | None, message: str) -> None:
    env = {"APP_ENV": "production"}
    if secret is not None:
        env["JWT_SECRET"] = secret
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_production_starts_with_a_strong_secret() -> None:
    settings = Settings.from_env({**PRODUCTION_ENV, "JWT_SECRET": STRONG})
    assert settings.is_production
    assert STRONG not in repr(settings)


def test_cli_reports_configuration_errors_without_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.cli import main

    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("JWT_SECRET", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        main(["export-schema"])
    assert exit_info.value.code == 2
    assert "configuration error: JWT_SECRET" in capsys.readouterr().err
