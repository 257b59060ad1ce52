"""One typed settings object, read from the environment and nowhere else.

Every backend is chosen by a URL (database, storage, events) so that the embedded default and production differ only
in environment variables, never in code paths chosen elsewhere. Only `api/` reads these settings: it builds every
client from them and hands the services and `auth/` the narrow values they need.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from core.settings_checks import (
    DEV_JWT_SECRET,
    DEV_SESSION_SECRET,
    SettingsError,
    check,
)


class AppEnv(StrEnum):
    DEV = "dev"
    TEST = "test"
    PRODUCTION = "production"


# Outside production a page served from this machine, on any port (the Vite dev servers), may call the API.
DEV_LOCAL_ORIGIN_REGEX = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?"


def _default_var_dir() -> Path:
    return Path.cwd() / "var"


ZALO_OA_SECRETS = ("SECRET_KEY", "ACCESS_TOKEN", "REFRESH_TOKEN")


@dataclass(frozen=True)
class ZaloOaSettings:
    """One Zalo Official Account and the mini-app beside it: the secret key proves its users' sign-ins; the app id
    and secret key spend its refresh token (which rotates) for access tokens. An access token alone (no refresh
    token) is used as it is, as the single-OA setup did."""

    key: str
    app_id: str = ""
    secret_key: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)


def _zalo_oa_env_name(key: str, suffix: str) -> str:
    return f"ZALO_OA_{key.upper()}_{suffix}"


@dataclass(frozen=True)
class Settings:
    app_env: AppEnv = AppEnv.DEV
    # URLs may carry passwords: kept out of repr() like the other secrets.
    database_url: str = field(default="", repr=False)
    storage_url: str = ""
    events_url: str = field(default="memory://", repr=False)
    s3_endpoint_url: str | None = None
    # Where phones reach the store (presigned forms, media URLs) when the API reaches it elsewhere (issue 16).
    s3_public_endpoint_url: str | None = None
    aws_access_key_id: str | None = field(default=None, repr=False)
    aws_secret_access_key: str | None = field(default=None, repr=False)
    aws_region: str = "ap-southeast-1"
    host: str = "127.0.0.1"
    port: int = 8000
    # Server processes per replica (`phananh serve --workers`, uvicorn's WEB_CONCURRENCY), and whether every process
    # that serves this deployment sees the same `file://` directory (issue 16).
    web_concurrency: int = 1
    local_storage_shared: bool = False
    public_url: str = "http://127.0.0.1:8000"
    jwt_secret: str = field(default=DEV_JWT_SECRET, repr=False)
    jwt_algorithm: str = "HS256"
    jwt_private_key_file: Path | None = None
    jwt_public_key_file: Path | None = None
    jwt_issuer: str = "phananh-api"
    jwt_audience: str = "phananh-clients"
    access_token_ttl_seconds: int = 15 * 60
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    cors_origins: tuple[str, ...] = ()
    log_level: str = "INFO"
    # Observability (issue 16): log lines as JSON or text, who may read /metrics, where traces go.
    log_format: str = "text"
    metrics_enabled: bool = True
    metrics_token: str | None = field(default=None, repr=False)
    otel_exporter_otlp_endpoint: str | None = None
    otel_service_name: str = "phananh-api"
    var_dir: Path = field(default_factory=_default_var_dir)
    # Sign-in (issue 3). SESSION_SECRET keys the HMACs of refresh tokens and OTP codes, whatever signs the JWTs.
    session_secret: str = field(default=DEV_SESSION_SECRET, repr=False)
    refresh_grace_seconds: int = 10
    zalo_verifier: str = "dev"
    zalo_api_url: str = "https://graph.zalo.me/v2.0"
    zalo_app_secret: str | None = field(default=None, repr=False)
    otp_sender: str = "outbox"
    otp_ttl_seconds: int = 300
    otp_max_attempts: int = 5
    otp_resend_seconds: int = 60
    otp_phone_limit_per_hour: int = 5
    otp_address_limit_per_hour: int = 20
    login_max_failures: int = 5
    login_lockout_seconds: int = 15 * 60
    media_signing_secret: str = field(default="", repr=False)
    # The Ed25519 private key (PEM) that signs receipts and dossiers (issue 18); derived from SESSION_SECRET outside
    # production when unset (`evidence_signing_seed`).
    evidence_signing_key: str = field(default="", repr=False)
    max_photo_bytes: int = 15 * 1024 * 1024
    max_video_bytes: int = 100 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    max_request_bytes: int = 16 * 1024 * 1024
    upload_expiry_seconds: int = 10 * 60
    media_url_ttl_seconds: int = 5 * 60
    # How long a link to a produced file (export, letter, dossier) works: long enough to start the download.
    download_url_ttl_seconds: int = 5 * 60
    media_cleanup_hours: int = 24
    # Media checks bounded (issue 14): how many photos are decoded (or videos blanked) at once, per process.
    media_decode_workers: int = 2

    @property
    def download_secret(self) -> bytes:
        """Signs download links; its own key, derived from the session secret, so a link is no other token."""
        return hmac.new(self.session_secret.encode(), b"downloads", hashlib.sha256).digest()

    @property
    def evidence_signing_seed(self) -> bytes:
        """The development key's 32-byte Ed25519 seed, by HMAC of the session secret: stable across restarts, so
        receipts signed yesterday still verify; never used in production, which refuses to start without a key."""
        return hmac.new(self.session_secret.encode(), b"phananh evidence signing key", hashlib.sha256).digest()

    @property
    def media_secret(self) -> bytes:
        """Signs local upload policies and media URLs; derived from the JWT secret unless set on its own."""
        return (self.media_signing_secret or f"media:{self.jwt_secret}").encode()

    report_max_age_days: int = 30
    events_channel: str = "phananh"
    outbox_relay: bool = True
    outbox_poll_ms: int = 200
    ws_max_subscriptions: int = 20
    # Live fan-out back-pressure: frames queued per subscription before its socket is closed as too slow (1013).
    ws_send_queue: int = 100
    # Handoff from Zalo to the city app, and answers back on the citizen's channel (issue 9).
    city_app_handoff_url: str = "http://localhost:5173/handoff"
    handoff_ttl_seconds: int = 15 * 60
    notifier: str = "outbox"
    zalo_oa_api_url: str = "https://openapi.zalo.me/v3.0/oa"
    zalo_oa_access_token: str | None = field(default=None, repr=False)
    # One Zalo OA per agency (issue 19): the settings above are the default OA (key ZALO_DEFAULT_OA), ZALO_OAS the
    # others; OA tokens are kept in the database encrypted with a key derived from ZALO_OA_TOKEN_KEY.
    zalo_app_id: str = ""
    zalo_oa_refresh_token: str | None = field(default=None, repr=False)
    zalo_default_oa: str = "default"
    zalo_oas: tuple[ZaloOaSettings, ...] = ()
    zalo_oauth_url: str = "https://oauth.zaloapp.com/v4"
    zalo_oa_token_key: str = field(default="", repr=False)
    zalo_oa_refresh_margin_seconds: int = 3600
    notification_max_attempts: int = 8
    notification_retry_seconds: int = 30
    notification_poll_seconds: int = 10
    # Rate limits and trusted proxies (issue 14): sign-in failures per account and per address, uploads and reports
    # per person, and the proxies whose X-Forwarded-For names the client address the per-address limits count.
    login_account_max_failures: int = 50
    login_address_max_failures: int = 20
    media_upload_limit_per_hour: int = 60
    report_limit_per_hour: int = 30
    # Exports (issue 19): rows per file (past them a last row says the file was cut), exports per person an hour.
    export_max_rows: int = 1_000_000
    export_limit_per_hour: int = 20
    forwarded_allow_ips: tuple[str, ...] = ()
    # Query cost limits (issue 14): what one GraphQL operation may ask before any resolver runs, by whom, how long a
    # query may run, how long one statement of the server's may run, and whether the schema is open to introspection.
    graphql_max_query_length: int = 100_000
    graphql_max_tokens: int = 2_000
    graphql_max_fields: int = 250
    graphql_max_aliases: int = 30
    graphql_max_depth: int = 12
    graphql_cost_anonymous: int = 5_000
    graphql_cost_citizen: int = 10_000
    graphql_cost_staff: int = 25_000
    anonymous_requests_per_minute: int = 600
    graphql_introspection: bool = True
    request_timeout_seconds: int = 10
    db_statement_timeout_ms: int = 10_000
    # HTTP conventions (issue 17): browser origins (CORS_ORIGINS, a pattern for preview deployments; dev lets any
    # localhost page in), persisted operations and where they are kept, GET caching, compression.
    cors_origin_regex: str | None = None
    cache_url: str = field(default="memory://", repr=False)
    persisted_queries_max: int = 1_000
    persisted_queries_ttl_seconds: int = 7 * 24 * 3600
    trusted_operations_only: bool = False
    trusted_operations_file: Path = field(default_factory=lambda: _default_var_dir() / "trusted-operations.json")
    reference_cache_seconds: int = 300
    statistics_cache_seconds: int = 60
    gzip_min_bytes: int = 1_000
    # Hotspot maps (issue 19): the public's minimum reports per cell (k-anonymity) and the most cells per answer.
    hotspot_min_count: int = 5
    hotspot_max_cells: int = 2_000

    @property
    def is_production(self) -> bool:
        return self.app_env is AppEnv.PRODUCTION

    @property
    def zalo_accounts(self) -> tuple[ZaloOaSettings, ...]:
        """Every OA, the default one (today's single-OA settings) first."""
        default = ZaloOaSettings(
            key=self.zalo_default_oa,
            app_id=self.zalo_app_id,
            secret_key=self.zalo_app_secret,
            access_token=self.zalo_oa_access_token,
            refresh_token=self.zalo_oa_refresh_token,
        )
        return (default, *self.zalo_oas)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build and validate settings; raise `SettingsError` with a message an operator can act on."""
        env = _read_secret_files(os.environ if environ is None else environ)
        var_dir = Path(env.get("VAR_DIR", str(_default_var_dir()))).resolve()
        try:
            app_env = AppEnv(env.get("APP_ENV", "dev"))
        except ValueError:
            raise SettingsError(
                f"APP_ENV must be one of {', '.join(e.value for e in AppEnv)}, not {env['APP_ENV']!r}"
            ) from None
        host = env.get("HOST", "127.0.0.1")
        port = _int(env, "PORT", 8000)
        settings = cls(
            app_env=app_env,
            database_url=env.get("DATABASE_URL", f"sqlite://{var_dir / 'db.sqlite3'}"),
            storage_url=env.get("STORAGE_URL", f"file://{var_dir / 'media'}"),
            events_url=env.get("EVENTS_URL", "memory://"),
            s3_endpoint_url=env.get("S3_ENDPOINT_URL") or None,
            s3_public_endpoint_url=(env.get("S3_PUBLIC_ENDPOINT_URL") or "").rstrip("/") or None,
            aws_access_key_id=env.get("AWS_ACCESS_KEY_ID") or None,
            aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY") or None,
            aws_region=env.get("AWS_REGION", "ap-southeast-1"),
            host=host,
            port=port,
            web_concurrency=_int(env, "WEB_CONCURRENCY", 1),
            local_storage_shared=_bool(env, "LOCAL_STORAGE_SHARED", False),
            public_url=env.get("PUBLIC_URL", f"http://{host}:{port}").rstrip("/"),
            jwt_secret=env.get("JWT_SECRET", "" if app_env is AppEnv.PRODUCTION else DEV_JWT_SECRET),
            jwt_algorithm=env.get("JWT_ALGORITHM", "HS256"),
            jwt_private_key_file=_path(env, "JWT_PRIVATE_KEY_FILE"),
            jwt_public_key_file=_path(env, "JWT_PUBLIC_KEY_FILE"),
            jwt_issuer=env.get("JWT_ISSUER", "phananh-api"),
            jwt_audience=env.get("JWT_AUDIENCE", "phananh-clients"),
            access_token_ttl_seconds=_int(env, "ACCESS_TOKEN_TTL_SECONDS", 15 * 60),
            refresh_token_ttl_seconds=_int(env, "REFRESH_TOKEN_TTL_SECONDS", 30 * 24 * 3600),
            # WS_ALLOWED_ORIGINS is the deprecated name of the websocket's half of CORS_ORIGINS: both count.
            cors_origins=tuple(
                dict.fromkeys(
                    o.strip()
                    for o in f"{env.get('CORS_ORIGINS', '')},{env.get('WS_ALLOWED_ORIGINS', '')}".split(",")
                    if o.strip()
                )
            ),
            cors_origin_regex=env.get("CORS_ORIGIN_REGEX")
            or (None if app_env is AppEnv.PRODUCTION else DEV_LOCAL_ORIGIN_REGEX),
            log_level=env.get("LOG_LEVEL", "INFO").strip().upper(),
            log_format=env.get("LOG_FORMAT", "json" if app_env is AppEnv.PRODUCTION else "text").strip().lower(),
            metrics_enabled=_bool(
                env, "METRICS_ENABLED", app_env is not AppEnv.PRODUCTION or bool(env.get("METRICS_TOKEN"))
            ),
            metrics_token=env.get("METRICS_TOKEN") or None,
            otel_exporter_otlp_endpoint=(env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or "").strip().rstrip("/") or None,
            otel_service_name=env.get("OTEL_SERVICE_NAME", "phananh-api").strip(),
            var_dir=var_dir,
            session_secret=env.get("SESSION_SECRET") or _derived_session_secret(env, app_env),
            refresh_grace_seconds=_int(env, "REFRESH_GRACE_SECONDS", 10),
            zalo_verifier=env.get("ZALO_VERIFIER", "http" if app_env is AppEnv.PRODUCTION else "dev"),
            zalo_api_url=env.get("ZALO_API_URL", "https://graph.zalo.me/v2.0").rstrip("/"),
            zalo_app_secret=env.get("ZALO_APP_SECRET") or None,
            otp_sender=env.get("OTP_SENDER", "disabled" if app_env is AppEnv.PRODUCTION else "outbox"),
            otp_ttl_seconds=_int(env, "OTP_TTL_SECONDS", 300),
            otp_max_attempts=_int(env, "OTP_MAX_ATTEMPTS", 5),
            otp_resend_seconds=_int(env, "OTP_RESEND_SECONDS", 60),
            otp_phone_limit_per_hour=_int(env, "OTP_PHONE_LIMIT_PER_HOUR", 5),
            otp_address_limit_per_hour=_int(env, "OTP_ADDRESS_LIMIT_PER_HOUR", 20),
            login_max_failures=_int(env, "LOGIN_MAX_FAILURES", 5),
            login_lockout_seconds=_int(env, "LOGIN_LOCKOUT_SECONDS", 15 * 60),
            media_signing_secret=env.get("MEDIA_SIGNING_SECRET", ""),
            evidence_signing_key=env.get("EVIDENCE_SIGNING_KEY", ""),
            max_photo_bytes=_int(env, "MAX_PHOTO_BYTES", 15 * 1024 * 1024),
            max_video_bytes=_int(env, "MAX_VIDEO_BYTES", 100 * 1024 * 1024),
            max_image_pixels=_int(env, "MAX_IMAGE_PIXELS", 40_000_000),
            max_request_bytes=_int(env, "MAX_REQUEST_BYTES", 16 * 1024 * 1024),
            upload_expiry_seconds=_int(env, "UPLOAD_EXPIRY_SECONDS", 10 * 60),
            media_url_ttl_seconds=_int(env, "MEDIA_URL_TTL_SECONDS", 5 * 60),
            download_url_ttl_seconds=_int(env, "DOWNLOAD_URL_TTL_SECONDS", 5 * 60),
            media_cleanup_hours=_int(env, "MEDIA_CLEANUP_HOURS", 24),
            media_decode_workers=_int(env, "MEDIA_DECODE_WORKERS", 2),
            report_max_age_days=_int(env, "REPORT_MAX_AGE_DAYS", 30),
            events_channel=env.get("EVENTS_CHANNEL", "phananh").strip(),
            outbox_relay=env.get("OUTBOX_RELAY", "true").strip().lower() not in ("false", "0", "no", "off"),
            outbox_poll_ms=_int(env, "OUTBOX_POLL_MS", 200),
            ws_max_subscriptions=_int(env, "WS_MAX_SUBSCRIPTIONS", 20),
            ws_send_queue=_int(env, "WS_SEND_QUEUE", 100),
            city_app_handoff_url=env.get("CITY_APP_HANDOFF_URL", "http://localhost:5173/handoff"),
            handoff_ttl_seconds=_int(env, "HANDOFF_TTL_SECONDS", 15 * 60),
            notifier=env.get("NOTIFIER") or _default_notifier(env, app_env),
            zalo_oa_api_url=env.get("ZALO_OA_API_URL", "https://openapi.zalo.me/v3.0/oa").rstrip("/"),
            zalo_oa_access_token=env.get("ZALO_OA_ACCESS_TOKEN") or None,
            zalo_app_id=env.get("ZALO_APP_ID", "").strip(),
            zalo_oa_refresh_token=env.get("ZALO_OA_REFRESH_TOKEN") or None,
            zalo_default_oa=env.get("ZALO_DEFAULT_OA", "default").strip(),
            zalo_oas=_zalo_oas(env),
            zalo_oauth_url=env.get("ZALO_OAUTH_URL", "https://oauth.zaloapp.com/v4").rstrip("/"),
            zalo_oa_token_key=env.get("ZALO_OA_TOKEN_KEY") or _derived_secret(env, app_env, b"phananh zalo oa tokens"),
            zalo_oa_refresh_margin_seconds=_int(env, "ZALO_OA_REFRESH_MARGIN_SECONDS", 3600),
            notification_max_attempts=_int(env, "NOTIFICATION_MAX_ATTEMPTS", 8),
            notification_retry_seconds=_int(env, "NOTIFICATION_RETRY_SECONDS", 30),
            notification_poll_seconds=_int(env, "NOTIFICATION_POLL_SECONDS", 10),
            login_account_max_failures=_int(env, "LOGIN_ACCOUNT_MAX_FAILURES", 50),
            login_address_max_failures=_int(env, "LOGIN_ADDRESS_MAX_FAILURES", 20),
            media_upload_limit_per_hour=_int(env, "MEDIA_UPLOAD_LIMIT_PER_HOUR", 60),
            report_limit_per_hour=_int(env, "REPORT_LIMIT_PER_HOUR", 30),
            export_max_rows=_int(env, "EXPORT_MAX_ROWS", 1_000_000),
            export_limit_per_hour=_int(env, "EXPORT_LIMIT_PER_HOUR", 20),
            forwarded_allow_ips=tuple(a.strip() for a in env.get("FORWARDED_ALLOW_IPS", "").split(",") if a.strip()),
            graphql_max_query_length=_int(env, "GRAPHQL_MAX_QUERY_LENGTH", 100_000),
            graphql_max_tokens=_int(env, "GRAPHQL_MAX_TOKENS", 2_000),
            graphql_max_fields=_int(env, "GRAPHQL_MAX_FIELDS", 250),
            graphql_max_aliases=_int(env, "GRAPHQL_MAX_ALIASES", 30),
            graphql_max_depth=_int(env, "GRAPHQL_MAX_DEPTH", 12),
            graphql_cost_anonymous=_int(env, "GRAPHQL_COST_ANONYMOUS", 5_000),
            anonymous_requests_per_minute=_int(env, "ANONYMOUS_REQUESTS_PER_MINUTE", 600),
            graphql_cost_citizen=_int(env, "GRAPHQL_COST_CITIZEN", 10_000),
            graphql_cost_staff=_int(env, "GRAPHQL_COST_STAFF", 25_000),
            graphql_introspection=_bool(env, "GRAPHQL_INTROSPECTION", app_env is not AppEnv.PRODUCTION),
            request_timeout_seconds=_int(env, "REQUEST_TIMEOUT_SECONDS", 10),
            db_statement_timeout_ms=_int(env, "DB_STATEMENT_TIMEOUT_MS", 10_000),
            cache_url=env.get("CACHE_URL") or _default_cache_url(env),
            persisted_queries_max=_int(env, "PERSISTED_QUERIES_MAX", 1_000),
            persisted_queries_ttl_seconds=_int(env, "PERSISTED_QUERIES_TTL_SECONDS", 7 * 24 * 3600),
            trusted_operations_only=_bool(env, "TRUSTED_OPERATIONS_ONLY", False),
            trusted_operations_file=Path(
                env.get("TRUSTED_OPERATIONS_FILE", str(var_dir / "trusted-operations.json"))
            ).resolve(),
            reference_cache_seconds=_int(env, "REFERENCE_CACHE_SECONDS", 300),
            statistics_cache_seconds=_int(env, "STATISTICS_CACHE_SECONDS", 60),
            gzip_min_bytes=_int(env, "GZIP_MIN_BYTES", 1_000),
            hotspot_min_count=_int(env, "HOTSPOT_MIN_COUNT", 5),
            hotspot_max_cells=_int(env, "HOTSPOT_MAX_CELLS", 2_000),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        """Refuse a configuration that cannot work, or would be unsafe, with a message naming the variable."""
        check(self)

    def with_workers(self, workers: int) -> Settings:
        """These settings for a server of `workers` processes (`phananh serve --workers`), validated again."""
        settings = replace(self, web_concurrency=workers)
        settings.validate()
        return settings


# Settings that hold secrets; each may instead come from the file its `_FILE` variant names (Docker and Kubernetes
# secrets), so that the value is in no environment a process listing or a crash report could show.
SECRET_SETTINGS = (
    "DATABASE_URL",
    "EVENTS_URL",
    "CACHE_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "JWT_SECRET",
    "SESSION_SECRET",
    "MEDIA_SIGNING_SECRET",
    "EVIDENCE_SIGNING_KEY",
    "ZALO_APP_SECRET",
    "ZALO_OA_ACCESS_TOKEN",
    "ZALO_OA_REFRESH_TOKEN",
    "ZALO_OA_TOKEN_KEY",
    "METRICS_TOKEN",
)


def _read_secret_files(env: Mapping[str, str]) -> dict[str, str]:
    """`JWT_SECRET_FILE=/run/secrets/jwt_secret` stands for `JWT_SECRET` with that file's text, without its final line
    break (as the postgres image reads `POSTGRES_PASSWORD_FILE`). Both at once would leave the operator guessing which
    one is in force, so that is refused."""
    resolved = dict(env)
    oa_secrets = [_zalo_oa_env_name(key, secret) for key in _zalo_oa_keys(env) for secret in ZALO_OA_SECRETS]
    for name in (*SECRET_SETTINGS, *oa_secrets):
        path = env.get(f"{name}_FILE")
        if not path:
            continue
        if env.get(name):
            raise SettingsError(f"{name} and {name}_FILE are both set: set only one of them")
        try:
            resolved[name] = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
            raise SettingsError(f"{name}_FILE={path} cannot be read: {reason}") from None
    return resolved


def _derived_session_secret(env: Mapping[str, str], app_env: AppEnv) -> str:
    """Without SESSION_SECRET, an HS256 deployment derives one from JWT_SECRET (a separate key by HMAC, so the two
    uses never share key material); RS256/EdDSA deployments have no shared secret and must set it in production."""
    if env.get("JWT_ALGORITHM", "HS256") == "HS256":
        jwt_secret = env.get("JWT_SECRET", "" if app_env is AppEnv.PRODUCTION else DEV_JWT_SECRET)
        return hmac.new(jwt_secret.encode(), b"phananh session secret", hashlib.sha256).hexdigest()
    return "" if app_env is AppEnv.PRODUCTION else DEV_SESSION_SECRET


def _derived_secret(env: Mapping[str, str], app_env: AppEnv, purpose: bytes) -> str:
    """A key of its own for `purpose`, derived by HMAC from the session secret (as that one is from JWT_SECRET)."""
    base = env.get("SESSION_SECRET") or _derived_session_secret(env, app_env)
    return hmac.new(base.encode(), purpose, hashlib.sha256).hexdigest() if base else ""


def _zalo_oa_keys(env: Mapping[str, str]) -> list[str]:
    """ZALO_OAS, comma-separated; outside production the demo's road-maintenance board OA by default."""
    default = "" if env.get("APP_ENV") == AppEnv.PRODUCTION.value else "maintenance"
    return [key.strip() for key in env.get("ZALO_OAS", default).split(",") if key.strip()]


def _zalo_oas(env: Mapping[str, str]) -> tuple[ZaloOaSettings, ...]:
    return tuple(
        ZaloOaSettings(
            key=key,
            app_id=env.get(_zalo_oa_env_name(key, "APP_ID"), "").strip(),
            secret_key=env.get(_zalo_oa_env_name(key, "SECRET_KEY")) or None,
            access_token=env.get(_zalo_oa_env_name(key, "ACCESS_TOKEN")) or None,
            refresh_token=env.get(_zalo_oa_env_name(key, "REFRESH_TOKEN")) or None,
        )
        for key in _zalo_oa_keys(env)
    )


def _default_cache_url(env: Mapping[str, str]) -> str:
    """Persisted queries are shared through the events' Redis when there is one, so every worker knows a hash."""
    events_url = env.get("EVENTS_URL", "memory://")
    return events_url if events_url.startswith(("redis://", "rediss://")) else "memory://"


def _default_notifier(env: Mapping[str, str], app_env: AppEnv) -> str:
    if app_env is not AppEnv.PRODUCTION:
        return "outbox"
    return "zalo-oa" if env.get("ZALO_OA_ACCESS_TOKEN") or env.get("ZALO_OA_REFRESH_TOKEN") else "disabled"


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    """Strict, because a misspelt "flase" must not leave a protection off."""
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in ("true", "1", "yes", "on"):
        return True
    if raw in ("false", "0", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, not {env[name]!r}")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, not {raw!r}") from None


def _path(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name)
    return Path(raw) if raw else None
