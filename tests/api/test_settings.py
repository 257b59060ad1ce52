"""Settings come from the environment only, and production refuses to start on unsafe ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import DEV_JWT_SECRET, SECRET_SETTINGS, AppEnv, Settings, SettingsError
from tests.helpers.environment import PRODUCTION_ENV, TEST_EVIDENCE_SIGNING_KEY
from tests.helpers.servers import free_port, run, server_env

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


# A valid value of every secret setting, and the attribute it lands in (issue 16: each has a `_FILE` variant).
SECRET_VALUES = {
    "DATABASE_URL": ("database_url", "postgres://phananh:pw@db:5432/phananh"),
    "EVENTS_URL": ("events_url", "redis://:pw@redis:6379/0"),
    "CACHE_URL": ("cache_url", "redis://:pw@redis:6379/1"),
    "AWS_ACCESS_KEY_ID": ("aws_access_key_id", "AKIA-API-USER"),
    "AWS_SECRET_ACCESS_KEY": ("aws_secret_access_key", "s3-secret"),
    "JWT_SECRET": ("jwt_secret", STRONG),
    "SESSION_SECRET": ("session_secret", "session-" + "y" * 40),
    "MEDIA_SIGNING_SECRET": ("media_signing_secret", "media-" + "z" * 40),
    "ZALO_APP_SECRET": ("zalo_app_secret", "zalo-app-secret"),
    "ZALO_OA_ACCESS_TOKEN": ("zalo_oa_access_token", "oa-token"),
    "ZALO_OA_REFRESH_TOKEN": ("zalo_oa_refresh_token", "oa-refresh-token"),
    "ZALO_OA_TOKEN_KEY": ("zalo_oa_token_key", "oa-token-key-" + "k" * 32),
    "METRICS_TOKEN": ("metrics_token", "metrics-" + "m" * 24),
    "EVIDENCE_SIGNING_KEY": ("evidence_signing_key", TEST_EVIDENCE_SIGNING_KEY),
}
# What a secret needs beside it to make valid settings: a refresh token is spent with its app's id and secret key.
SECRET_COMPANIONS = {"ZALO_OA_REFRESH_TOKEN": {"ZALO_APP_ID": "police-app", "ZALO_APP_SECRET": "police-secret"}}


def test_every_secret_setting_has_a_file_variant_tested() -> None:
    assert set(SECRET_VALUES) == set(SECRET_SETTINGS)


@pytest.mark.parametrize("name", sorted(SECRET_VALUES))
def test_a_secret_comes_from_the_file_its_file_variant_names(name: str, tmp_path: Path) -> None:
    """Docker and Kubernetes mount secrets as files; the final line break an editor adds is not part of the value."""
    attribute, value = SECRET_VALUES[name]
    secret = tmp_path / name.lower()
    secret.write_text(f"{value}\n", encoding="utf-8")
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != name}
    env.update(SECRET_COMPANIONS.get(name, {}))
    settings = Settings.from_env({**env, f"{name}_FILE": str(secret), "VAR_DIR": str(tmp_path)})
    assert getattr(settings, attribute) == value
    assert value not in repr(settings)


def test_a_secret_and_its_file_together_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "jwt_secret"
    secret.write_text(STRONG, encoding="utf-8")
    with pytest.raises(SettingsError, match="JWT_SECRET and JWT_SECRET_FILE are both set"):
        Settings.from_env({**PRODUCTION_ENV, "JWT_SECRET_FILE": str(secret)})


@pytest.mark.parametrize("kind", ["missing", "directory", "binary"])
def test_an_unreadable_secret_file_is_refused_without_showing_anything_of_it(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "database_url"
    if kind == "directory":
        path.mkdir()
    elif kind == "binary":
        path.write_bytes(b"\xff\xfepostgres://u:hunter2@db/x")
    with pytest.raises(SettingsError, match=f"DATABASE_URL_FILE={path} cannot be read") as refused:
        Settings.from_env({"DATABASE_URL_FILE": str(path)})
    assert "hunter2" not in str(refused.value)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WEB_CONCURRENCY": "2"}, "EVENTS_URL=memory:// delivers live events inside one process only"),
        ({"WEB_CONCURRENCY": "0"}, "WEB_CONCURRENCY"),
        ({"WEB_CONCURRENCY": "two"}, "WEB_CONCURRENCY must be an integer"),
        (
            {**PRODUCTION_ENV, "WEB_CONCURRENCY": "2", "EVENTS_URL": "redis://r:6379/0"},
            "STORAGE_URL=file:// in production with 2 workers.*LOCAL_STORAGE_SHARED=true",
        ),
        ({"LOCAL_STORAGE_SHARED": "maybe"}, "LOCAL_STORAGE_SHARED must be true or false"),
        ({"S3_PUBLIC_ENDPOINT_URL": "https://example.org/media"}, "S3_PUBLIC_ENDPOINT_URL must be a scheme and host"),
        ({"S3_ENDPOINT_URL": "minio:9000"}, "S3_ENDPOINT_URL must be a scheme and host"),
    ],
)
def test_shapes_that_fail_silently_with_several_processes_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_several_workers_run_with_redis_and_a_shared_store(tmp_path: Path) -> None:
    redis = {"EVENTS_URL": "redis://r:6379/0", "WEB_CONCURRENCY": "4", "VAR_DIR": str(tmp_path)}
    assert Settings.from_env(redis).web_concurrency == 4
    assert Settings.from_env({**PRODUCTION_ENV, **redis, "STORAGE_URL": "s3://phananh-media"}).web_concurrency == 4
    assert Settings.from_env({**PRODUCTION_ENV, **redis, "LOCAL_STORAGE_SHARED": "true"}).local_storage_shared
    with pytest.raises(SettingsError, match="EVENTS_URL=memory://"):
        Settings.from_env({"VAR_DIR": str(tmp_path)}).with_workers(2)


@pytest.mark.parametrize(
    ("arguments", "env"),
    [(["serve", "--workers", "2"], {}), (["serve"], {"WEB_CONCURRENCY": "2"})],
)
def test_serve_refuses_in_process_events_with_several_workers(
    arguments: list[str], env: dict[str, str], tmp_path: Path
) -> None:
    """As an operator meets it: the command exits at once with the setting to change, before any worker starts."""
    environment = server_env({"VAR_DIR": str(tmp_path), "PORT": str(free_port()), "EVENTS_URL": "memory://", **env})
    done = run(["phananh", *arguments], environment, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "configuration error: EVENTS_URL=memory:// delivers live events inside one process only" in done.stderr
    assert "EVENTS_URL=redis://" in done.stderr
    assert "Traceback" not in done.stderr
