"""Persisted operations the way Apollo Client's persisted-query link sends them (hash first, text on
`PersistedQueryNotFound`, GET with the hash in `extensions`), shared through Redis between servers, and the trusted
list production may require (`phananh operations register`, `TRUSTED_OPERATIONS_ONLY`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.persisted import MemoryQueryStore
from tests.helpers.factories import Caller
from tests.helpers.live_env import REDIS_URL, SUBMITTED, require_redis
from tests.helpers.servers import Server, run, server_env
from tests.helpers.ws import console
from tests.helpers.ws import error_codes as ws_error_codes

APOLLO_ACCEPT = "application/graphql-response+json,application/json;q=0.9"
CATEGORIES = "query Categories {\n  categories {\n    code\n  }\n}"
WARDS = "query Wards {\n  wards {\n    code\n  }\n}"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(query: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256(query)}}


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


async def apollo_get(client: httpx.AsyncClient, query: str, name: str) -> httpx.Response:
    """`useGETForHashedQueries`: operationName, variables and extensions as URL parameters, no query."""
    params = {"operationName": name, "variables": "{}", "extensions": json.dumps(persisted(query))}
    return await client.get("/graphql", params=params, headers={"accept": APOLLO_ACCEPT})


async def test_apollo_automatic_persisted_queries_over_post_then_get(client: httpx.AsyncClient) -> None:
    query = CATEGORIES + "\n# post then get"
    hash_only = {"operationName": "Categories", "variables": {}, "extensions": persisted(query)}
    first = await client.post("/graphql", json=hash_only, headers={"accept": APOLLO_ACCEPT})
    assert first.status_code == 200
    body = first.json()
    assert body["errors"][0]["message"] == "PersistedQueryNotFound"
    assert codes(body) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert "data" not in body
    assert first.headers["cache-control"] == "no-store"

    retried = await client.post("/graphql", json={**hash_only, "query": query}, headers={"accept": APOLLO_ACCEPT})
    assert retried.status_code == 200, retried.text
    assert retried.json()["data"]["categories"]

    again = await client.post("/graphql", json=hash_only, headers={"accept": APOLLO_ACCEPT})
    assert again.json()["data"] == retried.json()["data"]
    cached = await apollo_get(client, query, "Categories")
    assert cached.status_code == 200, cached.text
    assert cached.json()["data"] == retried.json()["data"]
    assert cached.headers["cache-control"].startswith("public")
    not_modified = await client.get(
        "/graphql", params=dict(cached.request.url.params), headers={"if-none-match": cached.headers["etag"]}
    )
    assert not_modified.status_code == 304


async def test_a_hash_only_get_of_an_unknown_query_asks_for_the_text(client: httpx.AsyncClient) -> None:
    response = await apollo_get(client, WARDS + "\n# unknown", "Wards")
    assert response.status_code == 200
    assert codes(response.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert response.headers["cache-control"] == "no-store"
    # Not GraphiQL's page, even for a browser's Accept.
    page = await client.get("/graphql", params={"extensions": json.dumps(persisted(WARDS + "#x"))})
    assert page.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    ("extensions", "query", "status", "code"),
    [
        ({"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}, CATEGORIES, 400, "PERSISTED_QUERY_HASH_MISMATCH"),
        (
            {"persistedQuery": {"version": 2, "sha256Hash": sha256(CATEGORIES)}},
            None,
            400,
            "PERSISTED_QUERY_NOT_SUPPORTED",
        ),
        ({"persistedQuery": {"version": 1, "sha256Hash": "short"}}, None, 400, "BAD_USER_INPUT"),
        ({"persistedQuery": "yes"}, None, 400, "PERSISTED_QUERY_NOT_SUPPORTED"),
    ],
)
async def test_persisted_query_refusals(
    client: httpx.AsyncClient, extensions: dict[str, Any], query: str | None, status: int, code: str
) -> None:
    body = {"extensions": extensions, **({"query": query} if query else {})}
    response = await client.post("/graphql", json=body)
    assert response.status_code == status, response.text
    assert codes(response.json()) == [code]


async def test_a_get_with_a_mutation_hash_is_refused(client: httpx.AsyncClient) -> None:
    mutation = "mutation Out { signOut }"
    stored = await client.post("/graphql", json={"query": mutation, "extensions": persisted(mutation)})
    assert stored.status_code == 200
    response = await apollo_get(client, mutation, "Out")
    assert response.status_code == 405
    assert codes(response.json()) == ["METHOD_NOT_ALLOWED"]


async def test_the_memory_store_is_bounded() -> None:
    store = MemoryQueryStore(max_entries=2)
    for name in ("a", "b", "c"):
        await store.put(name, f"query {name}")
    assert [await store.get(name) for name in ("a", "b", "c")] == [None, "query b", "query c"]
    by_size = MemoryQueryStore(max_entries=100, max_chars=20)
    for name in ("a", "b", "c"):
        await by_size.put(name, "x" * 8)
    assert [await by_size.get(name) for name in ("a", "b", "c")] == [None, "x" * 8, "x" * 8]


def test_servers_share_persisted_queries_through_redis(run_server: Callable[..., Server]) -> None:
    require_redis()
    env = {"EVENTS_URL": REDIS_URL, "OUTBOX_RELAY": "false"}
    first, second = run_server(env, migrate=False), run_server(env, migrate=False)
    query = CATEGORIES + f"\n# shared {first.url}"
    body = {"query": query, "extensions": persisted(query)}
    assert httpx.post(f"{first.url}/graphql", json=body).json()["data"]["categories"]
    shared = httpx.get(f"{second.url}/graphql", params={"extensions": json.dumps(persisted(query))})
    assert shared.status_code == 200, shared.text
    assert shared.json()["data"]["categories"]


def test_trusted_operations_only(run_server: Callable[..., Server], tmp_path: Path) -> None:
    documents = tmp_path / "city-app.graphql"
    documents.write_text(CATEGORIES)
    manifest = tmp_path / "persisted-query-manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": sha256(WARDS), "name": "Wards", "type": "query", "body": WARDS}],
            }
        )
    )
    trusted_file = tmp_path / "trusted.json"
    env = {"TRUSTED_OPERATIONS_ONLY": "true", "TRUSTED_OPERATIONS_FILE": str(trusted_file)}
    broken = tmp_path / "broken.graphql"
    broken.write_text("{ noSuchField }")
    refused = run(["phananh", "operations", "register", str(broken)], server_env(env))
    assert refused.returncode == 1
    assert "noSuchField" in refused.stderr
    not_a_manifest = tmp_path / "other.json"
    not_a_manifest.write_text('["{ wards { code } }"]')
    refused = run(["phananh", "operations", "register", str(not_a_manifest)], server_env(env))
    assert refused.returncode == 1
    assert "manifest" in refused.stderr
    registered = run(["phananh", "operations", "register", str(documents), str(manifest)], server_env(env))
    assert registered.returncode == 0, registered.stderr
    assert "2 new of 2" in registered.stdout
    server = run_server(env, migrate=False)
    url = f"{server.url}/graphql"

    by_text = httpx.post(url, json={"query": CATEGORIES})
    assert by_text.json()["data"]["categories"]
    by_hash = httpx.get(url, params={"extensions": json.dumps(persisted(WARDS))})
    assert by_hash.json()["data"]["wards"]
    for body in ({"query": "{ categories { code name } }"}, {"extensions": persisted("{ wards { name } }")}):
        response = httpx.post(url, json=body, headers={"accept": APOLLO_ACCEPT})
        assert response.status_code == 400
        assert codes(response.json()) == ["OPERATION_NOT_TRUSTED"]
    # Registered later, served without a restart.
    late = tmp_path / "late.graphql"
    late.write_text("{ wards { name } }")
    assert run(["phananh", "operations", "register", str(late)], server_env(env)).returncode == 0
    assert httpx.post(url, json={"query": "{ wards { name } }"}).json()["data"]["wards"]


async def test_trusted_operations_only_holds_on_the_websocket(
    run_server: Callable[..., Server], tmp_path: Path, officer: Caller
) -> None:
    """A socket may run queries as well as subscriptions: under TRUSTED_OPERATIONS_ONLY it refuses what HTTP refuses,
    by text or by hash, and runs a registered subscription sent by its hash alone."""
    documents = tmp_path / "console.graphql"
    documents.write_text(SUBMITTED)
    env = {"TRUSTED_OPERATIONS_ONLY": "true", "TRUSTED_OPERATIONS_FILE": str(tmp_path / "trusted.json")}
    assert run(["phananh", "operations", "register", str(documents)], server_env(env)).returncode == 0
    server = run_server(env, migrate=False)
    async with console(server.url, officer.token) as police:
        for payload in ({"query": "{ categories { code name } }"}, {"extensions": persisted("{ wards { code } }")}):
            await police.ws.send(json.dumps({"id": "untrusted", "type": "subscribe", "payload": payload}))
            message = await police.next("untrusted")
            assert message["type"] == "error", message
            assert ws_error_codes(message) == ["OPERATION_NOT_TRUSTED"]
        by_hash = {"extensions": persisted(SUBMITTED), "variables": {}}
        await police.ws.send(json.dumps({"id": "trusted", "type": "subscribe", "payload": by_hash}))
        assert await police.silent("trusted", 1)
