"""Optional OpenTelemetry traces: on when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, exported over OTLP/HTTP.

Off, nothing of OpenTelemetry is imported and nothing wraps the app or the schema: tracing costs nothing. On, each
request is a span (ASGI), each GraphQL operation and resolver a span inside it (strawberry's extension, without the
resolvers' arguments: they may hold a phone number or a report's text), each SQL statement a span (asyncpg), and the
request span carries the request id (`request.id`), so a client's `X-Request-ID` finds its trace. The packages are
the `tracing` extra (`pip install '.[tracing]'`); a server told to trace without them refuses to start.
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.types import ASGIApp
from strawberry.extensions import SchemaExtension

from core.request_id import current_request_id
from core.settings import Settings, SettingsError

REQUEST_ID_ATTRIBUTE = "request.id"
_PACKAGES = (
    "opentelemetry.sdk",
    "opentelemetry.exporter.otlp.proto.http",
    "opentelemetry.instrumentation.asgi",
    "opentelemetry.instrumentation.asyncpg",
)


def tracing_on(settings: Settings) -> bool:
    return settings.otel_exporter_otlp_endpoint is not None


def check_tracing(settings: Settings) -> None:
    """Refuse, before serving, to run without the packages the settings ask for."""
    if not tracing_on(settings):
        return
    missing = [package for package in _PACKAGES if _absent(package)]
    if missing:
        raise SettingsError(
            f"OTEL_EXPORTER_OTLP_ENDPOINT is set but {', '.join(missing)} is not installed: install the tracing extra "
            "(pip install '.[tracing]')"
        )


def traced_app(app: ASGIApp, settings: Settings) -> ASGIApp:
    """The app inside a request span; the app itself when tracing is off."""
    if not tracing_on(settings):
        return app
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    return OpenTelemetryMiddleware(
        app, excluded_urls="/metrics,/healthz", server_request_hook=_tag_request_id, exclude_spans=["receive", "send"]
    )


def tracing_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    if not tracing_on(settings):
        return []
    from strawberry.extensions.tracing import OpenTelemetryExtension

    return [lambda: OpenTelemetryExtension(arg_filter=_no_arguments)]


@asynccontextmanager
async def exporting_spans(settings: Settings) -> AsyncIterator[None]:
    """The process's tracer provider while the app runs; what is still buffered is sent when it stops."""
    if not tracing_on(settings):
        yield
        return
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": settings.otel_service_name}))
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{settings.otel_exporter_otlp_endpoint}/v1/traces"))
    )
    trace.set_tracer_provider(provider)
    instrumentor = AsyncPGInstrumentor()
    instrumentor.instrument(tracer_provider=provider)
    try:
        yield
    finally:
        instrumentor.uninstrument()
        provider.shutdown()


def _absent(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except ModuleNotFoundError:  # a parent package is missing
        return True


def _tag_request_id(span: Any, scope: dict[str, Any]) -> None:
    if span is not None and span.is_recording():
        span.set_attribute(REQUEST_ID_ATTRIBUTE, current_request_id())


def _no_arguments(arguments: dict[str, Any], info: Any) -> dict[str, Any]:
    return {}
