"""GraphQL over HTTP as clients and browsers use it: status codes by media type, JSON refusals with a code, queries
over GET with the caching they earn, compression and CORS. Requests go through the whole app (every middleware)."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin

from api.app import create_app, open_clients
from api.compression import CompressionMiddleware
from core.settings import Settings, SettingsError
from tests.helpers.environment import PRODUCTION_ENV, make_settings
from tests.helpers.factories import Caller
from tests.helpers.servers import Server
from tests.helpers.ws import PROTOCOL, ws_url

GRAPHQL_RESPONSE = "application/graphql-response+json"
APOLLO_ACCEPT = "application/graphql-response+json,application/json;q=0.9"
CATEGORIES = "query Categories { categories { code serviceLevelHours } }"
STATISTICS = "query Figures { statistics { received accepted } }"
SET_SERVICE_LEVEL = """
mutation SetServiceLevel($code: String!, $hours: Int!) {
  setCategoryServiceLevel(code: $code, hours: $hours) { code serviceLevelHours }
}"""


def codes(response: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json()["errors"]]


async def post(client: httpx.AsyncClient, body: object, accept: str = APOLLO_ACCEPT, **headers: str) -> httpx.Response:
    return await client.post("/graphql", json=body, headers={"accept": accept, **headers})


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"query": "{"}, "parse"),
        ({"query": "{ noSuchField }"}, "validation"),
        ({"query": "query Q($n: Int!) { categories(includeInactive: true) { code } } ", "variables": {}}, "unused"),
        (
            {
                "query": "query Q($inactive: Boolean!) { categories(includeInactive: $inactive) { code } }",
                "variables": {"inactive": "yes"},
            },
            "coercion",
        ),
    ],
)
async def test_request_errors_are_400_without_data_for_graphql_response_json(
    client: httpx.AsyncClient, body: dict[str, Any], why: str
) -> None:
    response = await post(client, body)
    assert response.status_code == 400, (why, response.text)
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert "data" not in response.json()
    assert codes(response) == ["BAD_USER_INPUT"]
    legacy = await post(client, body, accept="application/json")
    assert legacy.status_code == 200
    assert legacy.headers["content-type"].startswith("application/json")
    assert legacy.json()["data"] is None


async def test_a_field_error_is_200_with_data(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": "{ categories { code } auditLog(first: 1) { totalCount } }"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    body = response.json()
    assert body["data"] is None or body["data"]["categories"]
    assert codes(response) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    ("request_kwargs", "status", "code"),
    [
        (
            {"method": "POST", "content": b'{"query":"{ __typename }"}', "headers": {"content-type": "text/plain"}},
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            {
                "method": "POST",
                "content": b"query=%7B__typename%7D",
                "headers": {"content-type": "application/x-www-form-urlencoded"},
            },
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        ({"method": "POST", "content": b'{"query":"{ __typename }"}'}, 415, "UNSUPPORTED_MEDIA_TYPE"),
        (
            {"method": "POST", "content": b"{nope", "headers": {"content-type": "application/json"}},
            400,
            "BAD_USER_INPUT",
        ),
        ({"method": "POST", "json": {"query": "{ __typename }", "operationName": {"a": 1}}}, 400, "BAD_USER_INPUT"),
        ({"method": "POST", "json": {"query": 12}}, 400, "BAD_USER_INPUT"),
        ({"method": "POST", "json": {"variables": {}}}, 400, "BAD_USER_INPUT"),
        ({"method": "PUT", "json": {"query": "{ __typename }"}}, 405, "METHOD_NOT_ALLOWED"),
        ({"method": "GET", "params": {"query": "mutation { signOut }"}}, 405, "METHOD_NOT_ALLOWED"),
        ({"method": "GET", "params": {"query": "{ __typename }", "variables": "{oops"}}, 400, "BAD_USER_INPUT"),
    ],
)
async def test_http_refusals_are_json_with_a_code(
    client: httpx.AsyncClient, request_kwargs: dict[str, Any], status: int, code: str
) -> None:
    kwargs = dict(request_kwargs)
    response = await client.request(kwargs.pop("method"), "/graphql", **kwargs)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert codes(response) == [code]
    if status == 405 and kwargs.get("params"):
        assert response.headers["allow"] == "POST"
        assert "data" not in response.json()


async def test_reference_data_over_get_is_public_with_an_etag_and_answers_304(
    client: httpx.AsyncClient, admin: Caller
) -> None:
    first = await client.get("/graphql", params={"query": CATEGORIES}, headers={"accept": APOLLO_ACCEPT})
    assert first.status_code == 200, first.text
    assert first.headers["cache-control"] == "public, max-age=300"
    etag = first.headers["etag"]
    assert "Authorization" in first.headers["vary"]
    again = await client.get("/graphql", params={"query": CATEGORIES}, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    # An administrator's edit changes the answer, so its ETag: the cached copy is no longer "not modified".
    code = first.json()["data"]["categories"][0]["code"]
    hours = first.json()["data"]["categories"][0]["serviceLevelHours"]
    edited = await post(
        client,
        {"query": SET_SERVICE_LEVEL, "variables": {"code": code, "hours": hours + 1}},
        authorization=f"Bearer {admin.token}",
    )
    assert edited.status_code == 200, edited.text
    assert "errors" not in edited.json(), edited.text
    assert edited.headers["cache-control"] == "private, no-store"
    try:
        changed = await client.get("/graphql", params={"query": CATEGORIES}, headers={"if-none-match": etag})
        assert changed.status_code == 200
        assert changed.headers["etag"] != etag
    finally:
        await post(
            client,
            {"query": SET_SERVICE_LEVEL, "variables": {"code": code, "hours": hours}},
            authorization=f"Bearer {admin.token}",
        )


async def test_statistics_over_get_are_cacheable_briefly(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": STATISTICS})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["etag"].startswith('W/"')


async def test_anything_with_a_token_or_sent_by_post_is_not_stored(client: httpx.AsyncClient, citizen: Caller) -> None:
    signed_in = await client.get(
        "/graphql", params={"query": CATEGORIES}, headers={"authorization": f"Bearer {citizen.token}"}
    )
    assert signed_in.status_code == 200
    assert signed_in.headers["cache-control"] == "private, no-store"
    assert "etag" not in signed_in.headers
    posted = await post(client, {"query": CATEGORIES})
    assert posted.headers["cache-control"] == "no-store"
    other = await client.get("/graphql", params={"query": "{ reports(first: 1) { totalCount } }"})
    assert other.headers["cache-control"] == "no-store"
    failed = await client.get("/graphql", params={"query": "{ categories { nope } }"})
    assert failed.headers["cache-control"] == "no-store"


async def test_a_get_query_obeys_the_same_limits(client: httpx.AsyncClient, settings: Settings) -> None:
    many_tokens = "{ " + "__typename " * settings.graphql_max_tokens + "}"
    response = await client.get("/graphql", params={"query": many_tokens}, headers={"accept": APOLLO_ACCEPT})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["extensions"]["code"], error["extensions"]["limit"]) == ("BAD_USER_INPUT", "tokens")
    aliases = "{ " + " ".join(f"a{i}: categories {{ code }}" for i in range(settings.graphql_max_aliases + 1)) + " }"
    response = await client.get("/graphql", params={"query": aliases}, headers={"accept": APOLLO_ACCEPT})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["limit"] == "aliases"


async def test_large_answers_are_gzipped(client: httpx.AsyncClient) -> None:
    query = "{ wards { code name } }"
    compressed = await client.post("/graphql", json={"query": query}, headers={"accept-encoding": "gzip"})
    assert compressed.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in compressed.headers["vary"]
    assert compressed.json()["data"]["wards"]  # httpx inflates it
    plain = await client.post("/graphql", json={"query": query}, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    small = await client.post("/graphql", json={"query": "{ __typename }"}, headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in small.headers


async def test_media_and_compressed_types_are_never_gzipped() -> None:
    body = json.dumps({"padding": "x" * 10_000}).encode()

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        media_type = "image/jpeg" if scope["path"].endswith(".jpg") else "application/json"
        await Response(body, media_type=media_type)(scope, receive, send)

    app = CompressionMiddleware(inner, minimum_size=1_000)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        headers = {"accept-encoding": "gzip"}
        assert (await http.get("/graphql", headers=headers)).headers["content-encoding"] == "gzip"
        assert "content-encoding" not in (await http.get("/media/uploads/a.json", headers=headers)).headers
        assert "content-encoding" not in (await http.get("/other/photo.jpg", headers=headers)).headers
    assert gzip.decompress(gzip.compress(body)) == body


@pytest.mark.parametrize("path", ["/graphql", "/media/upload"])
async def test_dev_lets_local_frontends_in_and_exposes_the_request_id(client: httpx.AsyncClient, path: str) -> None:
    for origin in ("http://localhost:5173", "http://127.0.0.1:5174"):
        preflight = await client.options(
            path,
            headers={
                "origin": origin,
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type, authorization, apollo-require-preflight",
            },
        )
        assert preflight.status_code == 200, preflight.text
        assert preflight.headers["access-control-allow-origin"] == origin
    refused = await client.options(
        path, headers={"origin": "https://evil.example", "access-control-request-method": "POST"}
    )
    assert refused.status_code == 400
    answer = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"origin": "http://localhost:5173"}
    )
    assert answer.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "x-request-id" in answer.headers["access-control-expose-headers"].lower()


@pytest.fixture
async def preview_client(database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(
        database_url,
        tmp_path,
        CORS_ORIGINS="https://city.hanoi.example",
        CORS_ORIGIN_REGEX=r"https://pr-\d+\.preview\.hanoi\.example",
    )
    app = create_app(settings)
    async with open_clients(app, settings, workers=False):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


async def test_origins_listed_or_matching_the_preview_pattern_are_let_in(preview_client: httpx.AsyncClient) -> None:
    def allowed(response: httpx.Response) -> str | None:
        return response.headers.get("access-control-allow-origin")

    for origin, expected in (
        ("https://city.hanoi.example", True),
        ("https://pr-42.preview.hanoi.example", True),
        ("https://pr-42.preview.hanoi.example.evil.example", False),
        ("http://localhost:5173", False),  # an explicit pattern replaces the dev default
    ):
        response = await preview_client.post("/graphql", json={"query": "{ __typename }"}, headers={"origin": origin})
        assert (allowed(response) == origin) is expected, origin


def test_one_origin_setting_with_the_old_websocket_name_as_an_alias(tmp_path: Path) -> None:
    env = {"APP_ENV": "test", "VAR_DIR": str(tmp_path)}
    settings = Settings.from_env({**env, "CORS_ORIGINS": "https://a.vn", "WS_ALLOWED_ORIGINS": "https://b.vn"})
    assert settings.cors_origins == ("https://a.vn", "https://b.vn")
    assert settings.cors_origin_regex is not None
    production = Settings.from_env({**PRODUCTION_ENV, "VAR_DIR": str(tmp_path)})
    assert production.cors_origin_regex is None
    with pytest.raises(SettingsError, match="CORS_ORIGIN_REGEX"):
        Settings.from_env({**env, "CORS_ORIGIN_REGEX": "("})
    with pytest.raises(SettingsError, match="CORS_ORIGINS"):
        Settings.from_env({**PRODUCTION_ENV, "VAR_DIR": str(tmp_path), "CORS_ORIGINS": "*"})
    with pytest.raises(SettingsError, match="CACHE_URL"):
        Settings.from_env({**env, "CACHE_URL": "memcached://x"})
    assert Settings.from_env({**env, "EVENTS_URL": "redis://127.0.0.1:6379/0"}).cache_url.startswith("redis://")


async def test_the_websocket_admits_the_origins_cors_admits(run_server: Callable[..., Server]) -> None:
    server = run_server({"WS_ALLOWED_ORIGINS": "https://console.hanoi.example"}, migrate=False)
    for origin in ("http://localhost:5173", "https://console.hanoi.example"):  # dev default; the deprecated name
        async with connect(ws_url(server.url), subprotocols=[PROTOCOL], origin=Origin(origin)) as ws:
            assert ws.subprotocol == PROTOCOL
    with pytest.raises(InvalidStatus) as refused:
        async with connect(ws_url(server.url), subprotocols=[PROTOCOL], origin=Origin("https://evil.example")):
            pass
    assert refused.value.response.status_code == 403
