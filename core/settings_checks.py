"""The rules a configuration must follow, checked once when `Settings` is built (and again for `phananh serve
--workers`): each refusal names the variable to change, before anything starts."""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

if TYPE_CHECKING:
    from core.settings import Settings


class SettingsError(ValueError):
    """The environment describes a configuration the app must not run with."""


DEV_JWT_SECRET = "dev-only-secret-do-not-use-in-production-0123456789"
DEV_SESSION_SECRET = "dev-only-session-secret-do-not-use-in-production-0123"
MIN_SECRET_BYTES = 32
MIN_METRICS_TOKEN_BYTES = 16
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# The most cells a hotspot answer may hold whatever HOTSPOT_MAX_CELLS says: the query cost table counts this many.
HOTSPOT_CELLS_CEILING = 2_000
# An Official Account's key (`police`, `maintenance`): stored on identities, reports and agencies, and the middle of
# its settings' names (`ZALO_OA_MAINTENANCE_APP_ID`), hence the narrow alphabet.
ZALO_OA_KEY = re.compile(r"[a-z][a-z0-9_]{0,29}")


def require_positive(*settings: tuple[str, int]) -> None:
    for name, value in settings:
        if value <= 0:
            raise SettingsError(f"{name} must be positive, not {value}")


def check(settings: Settings) -> None:
    if not settings.database_url.startswith(("sqlite://", "postgres://", "asyncpg://")):
        raise SettingsError("DATABASE_URL must start with sqlite:// or postgres://")
    if not settings.storage_url.startswith(("file://", "s3://")):
        raise SettingsError("STORAGE_URL must start with file:// or s3://")
    if not settings.events_url.startswith(("memory://", "redis://", "rediss://")):
        raise SettingsError("EVENTS_URL must start with memory:// or redis://")
    if not 0 < settings.port < 65536:
        raise SettingsError(f"PORT must be between 1 and 65535, not {settings.port}")
    if settings.jwt_algorithm == "HS256":
        _secret(settings)
    elif settings.jwt_algorithm in ("RS256", "EdDSA"):
        for name, path in (
            ("JWT_PRIVATE_KEY_FILE", settings.jwt_private_key_file),
            ("JWT_PUBLIC_KEY_FILE", settings.jwt_public_key_file),
        ):
            if path is None or not path.is_file():
                raise SettingsError(f"JWT_ALGORITHM={settings.jwt_algorithm} needs {name} pointing at a key file")
    else:
        raise SettingsError("JWT_ALGORITHM must be HS256, RS256 or EdDSA")
    if settings.report_max_age_days <= 0:
        raise SettingsError("REPORT_MAX_AGE_DAYS must be a positive number of days")
    if settings.access_token_ttl_seconds <= 0 or settings.refresh_token_ttl_seconds <= 0:
        raise SettingsError("token lifetimes must be positive")
    _sign_in(settings)
    _observability(settings)
    _media(settings)
    _evidence_key(settings)
    _processes(settings)
    _live(settings)
    _handoff(settings)
    _rate_limits(settings)
    _query_limits(settings)
    _http(settings)


def _processes(settings: Settings) -> None:
    """In-process events reach only the subscribers of the worker that published them, and a local directory only
    the processes of one host: both fail silently with several processes, so they are refused up front."""
    if settings.web_concurrency <= 0:
        raise SettingsError(f"WEB_CONCURRENCY (or serve --workers) must be positive, not {settings.web_concurrency}")
    if settings.web_concurrency > 1 and settings.events_url.startswith("memory://"):
        raise SettingsError(
            f"EVENTS_URL=memory:// delivers live events inside one process only, and this server has "
            f"{settings.web_concurrency} workers (WEB_CONCURRENCY or serve --workers): set EVENTS_URL=redis://..."
        )
    if (
        settings.is_production
        and settings.web_concurrency > 1
        and settings.storage_url.startswith("file://")
        and not settings.local_storage_shared
    ):
        raise SettingsError(
            f"STORAGE_URL=file:// in production with {settings.web_concurrency} workers (WEB_CONCURRENCY or serve "
            "--workers): processes that could run as replicas must share one store; set STORAGE_URL=s3://bucket, "
            "or LOCAL_STORAGE_SHARED=true if every worker and replica sees this directory"
        )
    for name, url in (
        ("S3_ENDPOINT_URL", settings.s3_endpoint_url),
        ("S3_PUBLIC_ENDPOINT_URL", settings.s3_public_endpoint_url),
    ):
        if url is not None and not re.fullmatch(r"https?://[^/?#]+", url):
            raise SettingsError(
                f"{name} must be a scheme and host without a path (e.g. https://media.example.org), not {url!r}:"
                " a path would not be part of what the store checks the signature against"
            )


def _observability(settings: Settings) -> None:
    if settings.log_level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {settings.log_level!r}")
    if settings.log_format not in ("json", "text"):
        raise SettingsError(f"LOG_FORMAT must be json or text, not {settings.log_format!r}")
    if settings.metrics_token is not None and len(settings.metrics_token.encode()) < MIN_METRICS_TOKEN_BYTES:
        raise SettingsError(f"METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_BYTES} bytes of random data")
    endpoint = settings.otel_exporter_otlp_endpoint
    if endpoint is not None and not endpoint.startswith(("http://", "https://")):
        raise SettingsError(f"OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL (OTLP over HTTP), not {endpoint!r}")
    if not settings.otel_service_name:
        raise SettingsError("OTEL_SERVICE_NAME must not be empty")


def _live(settings: Settings) -> None:
    if not settings.events_channel:
        raise SettingsError("EVENTS_CHANNEL must not be empty")
    if settings.outbox_poll_ms <= 0 or settings.ws_max_subscriptions <= 0 or settings.ws_send_queue <= 0:
        raise SettingsError("OUTBOX_POLL_MS, WS_MAX_SUBSCRIPTIONS and WS_SEND_QUEUE must be positive")


def _sign_in(settings: Settings) -> None:
    """Dev shortcuts (a Zalo verifier that trusts any `dev-zalo:` token, codes written to a local outbox) would
    let anyone sign in as anyone: production refuses to start with them."""
    if settings.zalo_verifier not in ("dev", "http"):
        raise SettingsError("ZALO_VERIFIER must be dev or http")
    if settings.otp_sender not in ("outbox", "disabled"):
        raise SettingsError("OTP_SENDER must be outbox or disabled (no SMS vendor is integrated yet)")
    if settings.is_production and settings.zalo_verifier == "dev":
        raise SettingsError("ZALO_VERIFIER=dev accepts forged dev-zalo tokens; production needs ZALO_VERIFIER=http")
    if settings.is_production and settings.otp_sender == "outbox":
        raise SettingsError("OTP_SENDER=outbox writes codes to a local file; it is refused in production")
    if not settings.zalo_api_url.startswith(("https://", "http://")):
        raise SettingsError("ZALO_API_URL must be an http(s) URL")
    if len(settings.session_secret.encode()) < MIN_SECRET_BYTES:
        raise SettingsError(
            f"SESSION_SECRET must be at least {MIN_SECRET_BYTES} bytes of random data "
            "(required in production when JWT_ALGORITHM is RS256 or EdDSA)"
        )
    if settings.is_production and settings.session_secret == DEV_SESSION_SECRET:
        raise SettingsError("SESSION_SECRET is the development secret; set a random one in production")
    require_positive(
        ("OTP_TTL_SECONDS", settings.otp_ttl_seconds),
        ("OTP_MAX_ATTEMPTS", settings.otp_max_attempts),
        ("OTP_PHONE_LIMIT_PER_HOUR", settings.otp_phone_limit_per_hour),
        ("OTP_ADDRESS_LIMIT_PER_HOUR", settings.otp_address_limit_per_hour),
        ("LOGIN_MAX_FAILURES", settings.login_max_failures),
        ("LOGIN_LOCKOUT_SECONDS", settings.login_lockout_seconds),
    )
    if settings.refresh_grace_seconds < 0 or settings.otp_resend_seconds < 0:
        raise SettingsError("REFRESH_GRACE_SECONDS and OTP_RESEND_SECONDS must not be negative")


def _media(settings: Settings) -> None:
    require_positive(
        ("MAX_PHOTO_BYTES", settings.max_photo_bytes),
        ("MAX_VIDEO_BYTES", settings.max_video_bytes),
        ("MAX_IMAGE_PIXELS", settings.max_image_pixels),
        ("MAX_REQUEST_BYTES", settings.max_request_bytes),
        ("UPLOAD_EXPIRY_SECONDS", settings.upload_expiry_seconds),
        ("MEDIA_URL_TTL_SECONDS", settings.media_url_ttl_seconds),
        ("DOWNLOAD_URL_TTL_SECONDS", settings.download_url_ttl_seconds),
        ("MEDIA_CLEANUP_HOURS", settings.media_cleanup_hours),
        ("MEDIA_DECODE_WORKERS", settings.media_decode_workers),
    )
    if settings.media_signing_secret and len(settings.media_signing_secret.encode()) < MIN_SECRET_BYTES:
        raise SettingsError(f"MEDIA_SIGNING_SECRET must be at least {MIN_SECRET_BYTES} bytes of random data")
    if not settings.media_signing_secret and settings.jwt_algorithm != "HS256":
        raise SettingsError(f"JWT_ALGORITHM={settings.jwt_algorithm} has no shared secret: set MEDIA_SIGNING_SECRET")
    if settings.storage_url.startswith("s3://") and not settings.storage_url.removeprefix("s3://").strip("/"):
        raise SettingsError("STORAGE_URL=s3:// needs a bucket name, e.g. s3://phananh-media")


def _evidence_key(settings: Settings) -> None:
    """A derived key would be as secret as SESSION_SECRET but unknown to whoever audits the published key: in
    production it is set explicitly, and checked here so a wrong key stops the start, not the first receipt."""
    if not settings.evidence_signing_key:
        if settings.is_production:
            raise SettingsError(
                "EVIDENCE_SIGNING_KEY (or EVIDENCE_SIGNING_KEY_FILE) is required in production: an Ed25519 private "
                "key in PEM (generate one with: openssl genpkey -algorithm ed25519)"
            )
        return
    try:
        key = serialization.load_pem_private_key(settings.evidence_signing_key.encode(), password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise SettingsError("EVIDENCE_SIGNING_KEY must be an unencrypted Ed25519 private key in PEM")


def _handoff(settings: Settings) -> None:
    """The dev outbox would swallow the answers citizens wait for: production sends through the Zalo OA API, or
    (`disabled`, the default there without an OA token) keeps them queued until it is configured."""
    if not settings.city_app_handoff_url.startswith(("https://", "http://")):
        raise SettingsError("CITY_APP_HANDOFF_URL must be an http(s) URL")
    if settings.is_production and not settings.city_app_handoff_url.startswith("https://"):
        raise SettingsError("CITY_APP_HANDOFF_URL must be the city app's https address in production")
    if not settings.zalo_oa_api_url.startswith(("https://", "http://")):
        raise SettingsError("ZALO_OA_API_URL must be an http(s) URL")
    if settings.notifier not in ("outbox", "zalo-oa", "disabled"):
        raise SettingsError("NOTIFIER must be outbox, zalo-oa or disabled")
    if settings.is_production and settings.notifier == "outbox":
        raise SettingsError("NOTIFIER=outbox writes answers to a local file; production needs NOTIFIER=zalo-oa")
    if settings.notifier == "zalo-oa" and not (settings.zalo_oa_access_token or settings.zalo_oa_refresh_token):
        raise SettingsError(
            "NOTIFIER=zalo-oa needs ZALO_OA_ACCESS_TOKEN (the Official Account's access token) or "
            "ZALO_OA_REFRESH_TOKEN with ZALO_APP_ID and ZALO_APP_SECRET"
        )
    _zalo_oas(settings)
    require_positive(
        ("HANDOFF_TTL_SECONDS", settings.handoff_ttl_seconds),
        ("NOTIFICATION_MAX_ATTEMPTS", settings.notification_max_attempts),
        ("NOTIFICATION_RETRY_SECONDS", settings.notification_retry_seconds),
    )
    if settings.notification_poll_seconds < 0:
        raise SettingsError("NOTIFICATION_POLL_SECONDS must not be negative (0 runs no worker in the server)")


def _zalo_oas(settings: Settings) -> None:
    """A refresh token is useless without the app id and secret key that go with it; keys name settings and
    database values, so they are checked before anything is stored under them."""
    keys = [oa.key for oa in settings.zalo_accounts]
    for key in keys:
        if not ZALO_OA_KEY.fullmatch(key):
            raise SettingsError(
                f"a Zalo OA key (ZALO_DEFAULT_OA, ZALO_OAS) must match {ZALO_OA_KEY.pattern}, not {key!r}"
            )
    if len(set(keys)) != len(keys):
        raise SettingsError(f"ZALO_OAS names an OA twice, or the default one ({settings.zalo_default_oa}) again")
    for oa in settings.zalo_accounts:
        if oa.refresh_token and not (oa.app_id and oa.secret_key):
            raise SettingsError(f"the refresh token of Zalo OA {oa.key!r} needs its app id and secret key too")
    if not settings.zalo_oauth_url.startswith(("https://", "http://")):
        raise SettingsError("ZALO_OAUTH_URL must be an http(s) URL")
    if len(settings.zalo_oa_token_key.encode()) < MIN_SECRET_BYTES:
        raise SettingsError(f"ZALO_OA_TOKEN_KEY must be at least {MIN_SECRET_BYTES} bytes of random data")
    require_positive(("ZALO_OA_REFRESH_MARGIN_SECONDS", settings.zalo_oa_refresh_margin_seconds))


def _rate_limits(settings: Settings) -> None:
    """uvicorn would take a proxy entry it cannot parse for a host name that never matches, and `*` as "believe
    the first X-Forwarded-For entry", which any client writes: a typo or a wildcard would go unnoticed."""
    require_positive(
        ("LOGIN_ACCOUNT_MAX_FAILURES", settings.login_account_max_failures),
        ("LOGIN_ADDRESS_MAX_FAILURES", settings.login_address_max_failures),
        ("MEDIA_UPLOAD_LIMIT_PER_HOUR", settings.media_upload_limit_per_hour),
        ("REPORT_LIMIT_PER_HOUR", settings.report_limit_per_hour),
        ("EXPORT_MAX_ROWS", settings.export_max_rows),
        ("EXPORT_LIMIT_PER_HOUR", settings.export_limit_per_hour),
    )
    for entry in settings.forwarded_allow_ips:
        try:
            ipaddress.ip_network(entry)
        except ValueError:
            raise SettingsError(
                f"FORWARDED_ALLOW_IPS lists the reverse proxies' addresses or networks (e.g. 10.0.0.5,10.1.0.0/16),"
                f" not {entry!r}"
            ) from None


def _query_limits(settings: Settings) -> None:
    require_positive(
        ("GRAPHQL_MAX_QUERY_LENGTH", settings.graphql_max_query_length),
        ("GRAPHQL_MAX_TOKENS", settings.graphql_max_tokens),
        ("GRAPHQL_MAX_FIELDS", settings.graphql_max_fields),
        ("GRAPHQL_MAX_ALIASES", settings.graphql_max_aliases),
        ("GRAPHQL_MAX_DEPTH", settings.graphql_max_depth),
        ("GRAPHQL_COST_ANONYMOUS", settings.graphql_cost_anonymous),
        ("ANONYMOUS_REQUESTS_PER_MINUTE", settings.anonymous_requests_per_minute),
        ("GRAPHQL_COST_CITIZEN", settings.graphql_cost_citizen),
        ("GRAPHQL_COST_STAFF", settings.graphql_cost_staff),
        ("REQUEST_TIMEOUT_SECONDS", settings.request_timeout_seconds),
    )
    if settings.db_statement_timeout_ms < 0:
        raise SettingsError("DB_STATEMENT_TIMEOUT_MS must not be negative (0 leaves statements without a timeout)")


def _http(settings: Settings) -> None:
    if settings.cors_origin_regex is not None:
        try:
            re.compile(settings.cors_origin_regex)
        except re.error as error:
            raise SettingsError(f"CORS_ORIGIN_REGEX is not a regular expression: {error}") from None
    if "*" in settings.cors_origins and settings.is_production:
        raise SettingsError("CORS_ORIGINS=* lets every site call the API with its visitors' tokens; list origins")
    if not settings.cache_url.startswith(("memory://", "redis://", "rediss://")):
        raise SettingsError("CACHE_URL must start with memory:// or redis://")
    require_positive(
        ("PERSISTED_QUERIES_MAX", settings.persisted_queries_max),
        ("PERSISTED_QUERIES_TTL_SECONDS", settings.persisted_queries_ttl_seconds),
        ("GZIP_MIN_BYTES", settings.gzip_min_bytes),
        ("HOTSPOT_MIN_COUNT", settings.hotspot_min_count),
        ("HOTSPOT_MAX_CELLS", settings.hotspot_max_cells),
    )
    if settings.reference_cache_seconds < 0 or settings.statistics_cache_seconds < 0:
        raise SettingsError("REFERENCE_CACHE_SECONDS and STATISTICS_CACHE_SECONDS must not be negative")
    if settings.hotspot_max_cells > HOTSPOT_CELLS_CEILING:
        raise SettingsError(
            f"HOTSPOT_MAX_CELLS must be at most {HOTSPOT_CELLS_CEILING} (the query cost counts that many)"
        )


def _secret(settings: Settings) -> None:
    if len(settings.jwt_secret.encode()) < MIN_SECRET_BYTES:
        raise SettingsError(
            f"JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes of random data "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    if settings.is_production and settings.jwt_secret == DEV_JWT_SECRET:
        raise SettingsError("JWT_SECRET is the development secret; set a random one in production")
