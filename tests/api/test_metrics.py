"""`GET /metrics` as Prometheus reads it: every worker of `phananh serve --workers 2` counted in one scrape, by
operation name and outcome; closed by METRICS_TOKEN or METRICS_ENABLED; the backlogs read when scraped."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from api.metrics import MAX_OPERATION_NAMES, operation_label
from core import clock
from core.settings import Settings
from models.outbox import OutboxEvent, OutboxKind
from tests.helpers.auth_flows import client_for
from tests.helpers.environment import make_settings
from tests.helpers.factories import Caller
from tests.helpers.graphql import error_codes
from tests.helpers.live_env import REDIS_URL, SUBMITTED, channel, require_redis
from tests.helpers.media_calls import upload_multipart
from tests.helpers.media_files import photo
from tests.helpers.reports_api import submitted
from tests.helpers.servers import Server, free_port, run, server_env, start
from tests.helpers.ws import console

WARDS = "query Wards { wards { code } }"
BROKEN = "query Broken { noSuchField }"
ANONYMOUS = "{ __typename }"
TWO_OPERATIONS = "query First { __typename } query Second { __typename }"


def samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """The samples named `name` in a scrape, by their sorted labels."""
    found: dict[tuple[tuple[str, str], ...], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def operations(text: str) -> dict[tuple[str, str, str], float]:
    return {
        (labels["operation"], labels["type"], labels["outcome"]): value
        for key, value in samples(text, "phananh_graphql_operations_total").items()
        for labels in [dict(key)]
    }


def serve_two_workers(database_url: str, tmp_path: Path, **env: str) -> Server:
    full_env = server_env(
        {
            "DATABASE_URL": database_url,
            "VAR_DIR": str(tmp_path / "var"),
            "PORT": str(free_port()),
            "EVENTS_URL": REDIS_URL,
            "EVENTS_CHANNEL": channel(),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
            "ANONYMOUS_REQUESTS_PER_MINUTE": "100000",
            **env,
        }
    )
    for command in (["phananh", "migrate"], ["phananh", "seed"]):
        done = run(command, full_env)
        assert done.returncode == 0, done.stderr
    return start(["phananh", "serve", "--workers", "2"], full_env, tmp_path / "server.log")


async def send(url: str, request_id: str, body: dict[str, Any], token: str | None = None) -> httpx.Response:
    """Each request on a connection of its own, so that either worker may accept it."""
    headers = {"X-Request-ID": request_id}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        return await http.post("/graphql", json=body, headers=headers)


async def test_two_workers_count_every_operation_in_one_scrape_and_log_json_with_the_request_id(
    database_url: str, tmp_path: Path, citizen: Caller
) -> None:
    require_redis()
    server = serve_two_workers(database_url, tmp_path)
    try:
        sent: list[tuple[str, dict[str, Any], str | None]] = []
        sent += [(f"wards-{i}", {"query": WARDS}, None) for i in range(24)]
        sent += [(f"anonymous-{i}", {"query": ANONYMOUS}, None) for i in range(10)]
        sent += [(f"broken-{i}", {"query": BROKEN}, None) for i in range(6)]
        sent += [(f"unnamed-{i}", {"query": WARDS, "operationName": "NotInTheDocument"}, None) for i in range(3)]
        sent += [(f"second-{i}", {"query": TWO_OPERATIONS, "operationName": "Second"}, None) for i in range(2)]
        sent += [(f"citizen-{i}", {"query": WARDS}, citizen.token) for i in range(2)]
        for start_at in range(0, len(sent), 8):
            batch = sent[start_at : start_at + 8]
            answers = await asyncio.gather(*(send(server.url, rid, body, token) for rid, body, token in batch))
            assert all(answer.status_code in (200, 400) for answer in answers), [a.text for a in answers]
        async with httpx.AsyncClient(base_url=server.url) as http:
            scrape = await http.get("/metrics")
        assert scrape.status_code == 200
        assert scrape.headers["content-type"].startswith("text/plain")
        counted = operations(scrape.text)
        assert counted[("Wards", "query", "OK")] == 26
        assert counted[("anonymous", "query", "OK")] == 10
        assert counted[("Broken", "query", "BAD_USER_INPUT")] == 6
        assert counted[("unknown", "unknown", "BAD_USER_INPUT")] == 3
        assert counted[("Second", "query", "OK")] == 2
        assert sum(counted.values()) == len(sent)
        durations = samples(scrape.text, "phananh_graphql_operation_duration_seconds_count")
        assert durations[(("operation", "Wards"), ("type", "query"))] == 26
        http_counts = samples(scrape.text, "phananh_http_requests_total")
        graphql_requests = sum(v for k, v in http_counts.items() if dict(k)["route"] == "/graphql")
        assert graphql_requests == len(sent)
        assert "noSuchField" not in scrape.text
        assert "__typename" not in scrape.text
    finally:
        server.stop()

    lines = [line for line in server.log.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line of every process is JSON
    assert all({"time", "level", "logger", "message", "request_id", "pid"} <= record.keys() for record in records)
    access = {record["request_id"]: record for record in records if record["logger"] == "phananh.access"}
    for request_id, body, _ in sent:
        line = access[request_id]
        assert line["method"] == "POST"
        assert line["path"] == "/graphql"
        assert line["status"] in (200, 400)
        assert isinstance(line["duration_ms"], float | int)
        assert body["query"] not in json.dumps(line)
    assert access["wards-0"]["operation"] == "Wards"
    assert access["wards-0"]["role"] == "ANONYMOUS"
    assert access["citizen-0"]["role"] == "CITIZEN"
    assert citizen.token not in server.log.read_text()
    assert len({line["pid"] for line in access.values()}) == 2, "both workers served and logged"


async def test_operation_names_are_bounded() -> None:
    from graphql import parse

    assert operation_label(None, parse("{ a }")) == "anonymous"
    assert operation_label("Nope", parse("query Yes { a }")) == "unknown"
    assert operation_label(None, parse("query A { a } query B { b }")) == "unknown"
    for n in range(MAX_OPERATION_NAMES + 5):
        operation_label(None, parse(f"query Invented{n} {{ a }}"))
    assert operation_label(None, parse("query YetAnother { a }")) == "other"


def metrics_app(database_url: str, tmp_path: Path, **env: str) -> httpx.AsyncClient:
    app = create_app(make_settings(database_url, tmp_path, **env))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_metrics_need_the_token_when_one_is_set(database_url: str, tmp_path: Path) -> None:
    token = "m" * 32
    async with metrics_app(database_url, tmp_path, METRICS_TOKEN=token) as http:
        assert (await http.get("/metrics")).status_code == 401
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer " + "x" * 32})
        assert (wrong.status_code, wrong.json()["errors"][0]["extensions"]["code"]) == (401, "UNAUTHENTICATED")
        right = await http.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert right.status_code == 200
        assert "phananh_http_requests_total" in right.text


async def test_metrics_can_be_turned_off(database_url: str, tmp_path: Path) -> None:
    async with metrics_app(database_url, tmp_path, METRICS_ENABLED="false") as http:
        answer = await http.get("/metrics")
        assert (answer.status_code, answer.json()["errors"][0]["extensions"]["code"]) == (404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("env", "enabled"),
    [({}, False), ({"METRICS_TOKEN": "t" * 20}, True), ({"METRICS_ENABLED": "true"}, True)],
)
def test_production_serves_metrics_only_when_told(env: dict[str, str], enabled: bool, tmp_path: Path) -> None:
    from core.settings import Settings
    from tests.helpers.environment import PRODUCTION_ENV

    settings = Settings.from_env(
        {**PRODUCTION_ENV, "DATABASE_URL": "sqlite://:memory:", "STORAGE_URL": f"file://{tmp_path}", **env}
    )
    assert settings.metrics_enabled is enabled


async def test_the_scrape_reads_the_outbox_backlog_and_the_age_of_its_oldest_row(client: httpx.AsyncClient) -> None:
    ids = {"report_id": "0" * 32, "agency_id": "1" * 32, "reporter_id": "2" * 32}
    old = await OutboxEvent.create(kind=OutboxKind.SUBMITTED, **ids)
    await OutboxEvent.filter(id=old.id).update(created_at=clock.now() - timedelta(minutes=3))
    await OutboxEvent.create(kind=OutboxKind.UPDATED, **ids)
    await OutboxEvent.create(kind=OutboxKind.UPDATED, published_at=clock.now(), **ids)
    scrape = (await client.get("/metrics")).text
    assert samples(scrape, "phananh_outbox_backlog")[()] == 2
    assert 170 < samples(scrape, "phananh_outbox_oldest_age_seconds")[()] < 600
    assert samples(scrape, "phananh_notification_queue_depth")[()] == 0
    assert samples(scrape, "phananh_backlogs_readable")[()] == 1


async def test_http_requests_are_counted_by_route_template_never_by_path(client: httpx.AsyncClient) -> None:
    before = samples((await client.get("/metrics")).text, "phananh_http_requests_total")
    await client.get("/media/some/key/that/is/not/there")
    await client.get("/no/such/page")
    after = samples((await client.get("/metrics")).text, "phananh_http_requests_total")
    grown = {dict(k)["route"] for k, v in after.items() if v > before.get(k, 0)}
    assert grown == {"/media/{key:path}", "unmatched", "/metrics"}


async def test_sockets_subscriptions_and_live_events_are_counted(
    run_server: Any, officer: Caller, citizen: Caller
) -> None:
    server = run_server({"OUTBOX_POLL_MS": "50"})

    async def gauges() -> tuple[float, float]:
        async with httpx.AsyncClient(base_url=server.url) as http:
            scrape = (await http.get("/metrics")).text
        return (
            samples(scrape, "phananh_websocket_connections")[()],
            samples(scrape, "phananh_subscriptions_active")[()],
        )

    async with console(server.url, officer.token) as police:
        op_id = await police.subscribe(SUBMITTED)
        assert await gauges() == (1, 1)
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            report = await submitted(http, citizen)
            assert (await police.report(op_id))["id"] == report["id"]
            scrape = (await http.get("/metrics")).text
        assert samples(scrape, "phananh_events_published_total")[()] == 1
        assert samples(scrape, "phananh_events_delivered_total")[()] == 1
        await police.ws.send(json.dumps({"id": op_id, "type": "complete"}))
        await police.sync()
        assert await gauges() == (1, 0)
    deadline = asyncio.get_running_loop().time() + 5
    while await gauges() != (0, 0):
        assert asyncio.get_running_loop().time() < deadline, await gauges()
        await asyncio.sleep(0.05)
    async with httpx.AsyncClient(base_url=server.url) as http:
        counted = operations((await http.get("/metrics")).text)
    assert counted[("anonymous", "subscription", "OK")] == 1
    assert counted[("LiveSync", "query", "OK")] == 2


async def test_rate_limit_refusals_and_checked_uploads_are_counted(
    settings: Settings, tmp_path: Path, citizen: Caller
) -> None:
    limited = make_settings(
        settings.database_url, tmp_path, MEDIA_UPLOAD_LIMIT_PER_HOUR="2", ANONYMOUS_REQUESTS_PER_MINUTE="1"
    )
    async with client_for(limited) as client:
        before = (await client.get("/metrics")).text
        assert (await upload_multipart(client, citizen.token, photo(), "image/jpeg")).status_code == 200
        rejected = await upload_multipart(client, citizen.token, b"not a photo at all", "image/jpeg")
        assert error_codes(rejected.json()) == ["UNSUPPORTED_MEDIA_TYPE"]
        refused = await upload_multipart(client, citizen.token, photo(), "image/jpeg")
        assert error_codes(refused.json()) == ["RATE_LIMITED"]
        for _ in range(2):
            anonymous = await client.post("/graphql", json={"query": ANONYMOUS})
        assert anonymous.status_code == 429
        after = (await client.get("/metrics")).text

    def grew(name: str, **labels: str) -> float:
        key = tuple(sorted(labels.items()))
        return samples(after, name).get(key, 0) - samples(before, name).get(key, 0)

    assert grew("phananh_rate_limited_total", limit="media.upload") == 1
    assert grew("phananh_rate_limited_total", limit="anonymous.requests") == 1
    assert grew("phananh_uploads_total", kind="PHOTO", outcome="ready") == 1
    assert grew("phananh_uploads_total", kind="PHOTO", outcome="rejected") == 1
    assert grew("phananh_upload_bytes_count", kind="PHOTO") == 2
