"""Every Prometheus metric the API keeps, in one place, so the README's table and the dashboards have one source.

They live in `core/` because services count too (notifications sent, events delivered, uploads checked) and may not
import `api/`. Under `phananh serve` each worker writes its values to files in `PROMETHEUS_MULTIPROC_DIR` (set by the
command before any worker starts), and `GET /metrics` adds up every worker's files (`api.routes.metrics`); elsewhere
(tests, one-off commands) they count in memory. Values read from the database when scraped (the outbox backlog, the
notification queue) are not here: they are measured by the scrape itself.

Labels are bounded: routes are templates, operation names are checked and capped (`api.metrics`), outcomes are error
codes of our vocabulary, limits and kinds are names from the code. Never a user id, an address or a query text.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# Seconds: from a cached read (a few ms) to the request timeout (10 s by default).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Bytes: a thumbnail-sized photo to the largest video (100 MiB by default).
SIZE_BUCKETS = (64e3, 256e3, 1e6, 4e6, 16e6, 64e6, 256e6)

GRAPHQL_OPERATIONS = Counter(
    "phananh_graphql_operations_total",
    "GraphQL operations by operation name, type and outcome (the first error's extensions.code, or OK).",
    ("operation", "type", "outcome"),
)
GRAPHQL_DURATION = Histogram(
    "phananh_graphql_operation_duration_seconds",
    "Time to answer a GraphQL query or mutation (subscriptions are not timed: they last as long as the client wants).",
    ("operation", "type"),
    buckets=LATENCY_BUCKETS,
)
HTTP_REQUESTS = Counter(
    "phananh_http_requests_total", "HTTP requests by method, route template and status.", ("method", "route", "status")
)
HTTP_DURATION = Histogram(
    "phananh_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by route template.",
    ("route",),
    buckets=LATENCY_BUCKETS,
)
WEBSOCKETS = Gauge("phananh_websocket_connections", "Open websocket connections.", multiprocess_mode="livesum")
SUBSCRIPTIONS = Gauge("phananh_subscriptions_active", "GraphQL subscriptions running.", multiprocess_mode="livesum")
EVENTS_PUBLISHED = Counter("phananh_events_published_total", "Live events published to the event bus by the relay.")
EVENTS_DELIVERED = Counter(
    "phananh_events_delivered_total", "Live events handed to a subscription of this server (one per subscriber)."
)
NOTIFICATION_ATTEMPTS = Counter(
    "phananh_notification_attempts_total",
    "Attempts to send a queued notification, by outcome: sent, retry (failed, tried again later), failed (given "
    "up), unavailable (the provider was out of reach; not counted as an attempt of the message).",
    ("outcome",),
)
RATE_LIMITED = Counter("phananh_rate_limited_total", "Requests refused by a rate limit, by limit.", ("limit",))
UPLOADS = Counter("phananh_uploads_total", "Uploads checked, by kind (PHOTO, VIDEO) and outcome.", ("kind", "outcome"))
UPLOAD_BYTES = Histogram(
    "phananh_upload_bytes", "Size of the uploads checked, by kind.", ("kind",), buckets=SIZE_BUCKETS
)
DB_POOL = Gauge(
    "phananh_db_pool_connections",
    "Database connections of the server's pools (PostgreSQL), by state: in_use or idle.",
    ("state",),
    multiprocess_mode="livesum",
)


def record_upload(kind: str, outcome: str, size_bytes: int | None) -> None:
    """One checked upload: `outcome` is ready or rejected."""
    UPLOADS.labels(kind, outcome).inc()
    if size_bytes is not None:
        UPLOAD_BYTES.labels(kind).observe(size_bytes)
