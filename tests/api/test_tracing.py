"""Traces: with OTEL_EXPORTER_OTLP_ENDPOINT set, a served request reaches an OTLP/HTTP receiver (one the test runs on
127.0.0.1) as spans carrying the client's request id; without it, nothing of OpenTelemetry is on the request path."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from api.tracing import REQUEST_ID_ATTRIBUTE, check_tracing, traced_app, tracing_extensions
from core.settings import SettingsError
from tests.helpers.environment import make_settings
from tests.helpers.fake_http import serving


class OtlpReceiver(BaseHTTPRequestHandler):
    """`POST /v1/traces` as an OpenTelemetry collector takes it: protobuf in, 200 out; keeps the spans."""

    spans: ClassVar[list[Span]] = []
    services: ClassVar[set[str]] = set()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        if self.path == "/v1/traces":
            request = ExportTraceServiceRequest()
            request.ParseFromString(body)
            for resource_spans in request.resource_spans:
                for attribute in resource_spans.resource.attributes:
                    if attribute.key == "service.name":
                        OtlpReceiver.services.add(attribute.value.string_value)
                for scope_spans in resource_spans.scope_spans:
                    OtlpReceiver.spans.extend(scope_spans.spans)
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def otlp_endpoint() -> Iterator[str]:
    OtlpReceiver.spans.clear()
    OtlpReceiver.services.clear()
    with serving(OtlpReceiver) as url:
        yield url


def attributes(span: Span) -> dict[str, Any]:
    return {a.key: a.value.string_value or a.value.int_value for a in span.attributes}


async def test_with_an_endpoint_spans_are_exported_with_the_request_id(
    run_server: Any, otlp_endpoint: str, db_kind: str
) -> None:
    server = run_server(
        {"OTEL_EXPORTER_OTLP_ENDPOINT": otlp_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_SERVICE_NAME": "api-t"}
    )
    async with httpx.AsyncClient(base_url=server.url) as http:
        answer = await http.post(
            "/graphql",
            json={"query": "query Wards($code: String) { wards { code } }", "variables": {"code": "secret-phone"}},
            headers={"X-Request-ID": "trace-42"},
        )
    assert answer.status_code == 200
    deadline = time.monotonic() + 20
    while not any(span.name.startswith("GraphQL Query") for span in OtlpReceiver.spans):
        assert time.monotonic() < deadline, "no GraphQL span reached the receiver"
        await asyncio.sleep(0.1)
    tagged = [span for span in OtlpReceiver.spans if attributes(span).get(REQUEST_ID_ATTRIBUTE) == "trace-42"]
    assert len(tagged) == 1, "the request's span carries the request id"
    trace = [span for span in OtlpReceiver.spans if span.trace_id == tagged[0].trace_id]
    assert any(span.name == "GraphQL Query: Wards" for span in trace)
    if db_kind == "postgres":
        server.stop()  # flushes what is left
        statements = [span for span in OtlpReceiver.spans if attributes(span).get("db.system") == "postgresql"]
        assert statements, [span.name for span in OtlpReceiver.spans]
    assert OtlpReceiver.services == {"api-t"}
    assert not [span for span in OtlpReceiver.spans if "secret-phone" in str(span)], "no variables in the spans"


def test_without_an_endpoint_nothing_wraps_the_app_or_the_schema(tmp_path: Path) -> None:
    settings = make_settings("sqlite://:memory:", tmp_path)
    app = object()
    assert traced_app(app, settings) is app  # type: ignore[arg-type]
    assert tracing_extensions(settings) == []
    check_tracing(settings)


def test_the_endpoint_must_be_an_http_url(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="OTEL_EXPORTER_OTLP_ENDPOINT must be an http"):
        make_settings("sqlite://:memory:", tmp_path, OTEL_EXPORTER_OTLP_ENDPOINT="grpc://collector:4317")
