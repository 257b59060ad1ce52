"""Persisted operations: Apollo's automatic persisted queries (APQ), and the trusted list production may require.

APQ: a client sends `extensions.persistedQuery = {version: 1, sha256Hash}` without the text; if the server knows the
hash it runs the stored text, else it answers `PersistedQueryNotFound` (HTTP 200, code PERSISTED_QUERY_NOT_FOUND, the
message and code Apollo Client's persisted-query link looks for) and the client sends hash and text once, which the
server checks and stores. A GET with only the hash is a short URL a CDN can cache. The store is Redis when a Redis URL
is configured (shared by every worker, entries expire), otherwise an in-process LRU; both are bounded.

Trusted operations (`TRUSTED_OPERATIONS_ONLY=true`): only documents registered with `phananh operations register` run,
by hash or by exact text; anything else is refused (OPERATION_NOT_TRUSTED), which also closes the door on handcrafted
expensive queries. The list is a JSON file (`TRUSTED_OPERATIONS_FILE`), read again when it changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from core.settings import Settings

logger = logging.getLogger("phananh.persisted")

APQ_VERSION = 1
NOT_FOUND_MESSAGE = "PersistedQueryNotFound"
NOT_FOUND_CODE = "PERSISTED_QUERY_NOT_FOUND"
REDIS_KEY_PREFIX = "phananh:apq:"
# What one process's store may hold in all, however many large documents clients register.
MEMORY_STORE_CHARS = 16 * 1024 * 1024


class PersistedQueryError(Exception):
    """A persisted-operation request the server will not run; `status` and `code` are what the client receives."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class QueryStore(Protocol):
    async def get(self, sha256_hash: str) -> str | None: ...

    async def put(self, sha256_hash: str, query: str) -> None: ...


class MemoryQueryStore:
    """The most recently used documents of this process: at most `max_entries`, and `max_chars` characters in all."""

    def __init__(self, max_entries: int, max_chars: int = MEMORY_STORE_CHARS) -> None:
        self.max_entries = max_entries
        self.max_chars = max_chars
        self.chars = 0
        self.entries: OrderedDict[str, str] = OrderedDict()

    async def get(self, sha256_hash: str) -> str | None:
        query = self.entries.get(sha256_hash)
        if query is not None:
            self.entries.move_to_end(sha256_hash)
        return query

    async def put(self, sha256_hash: str, query: str) -> None:
        if sha256_hash in self.entries:
            self.entries.move_to_end(sha256_hash)
            return
        self.entries[sha256_hash] = query
        self.chars += len(query)
        while len(self.entries) > self.max_entries or self.chars > self.max_chars:
            _, evicted = self.entries.popitem(last=False)
            self.chars -= len(evicted)


class RedisQueryStore:
    """Shared by every worker; each entry expires `ttl_seconds` after it was last stored, so Redis holds what clients
    still send. Redis being down only costs clients a retry with the text (the store answers "not found")."""

    def __init__(self, redis: Redis, ttl_seconds: int) -> None:
        self.redis = redis
        self.ttl_seconds = ttl_seconds

    async def get(self, sha256_hash: str) -> str | None:
        try:
            value = await self.redis.get(REDIS_KEY_PREFIX + sha256_hash)
        except (RedisError, OSError) as error:
            logger.warning("persisted query store unavailable: %s", type(error).__name__)
            return None
        return value.decode() if isinstance(value, bytes) else value

    async def put(self, sha256_hash: str, query: str) -> None:
        try:
            await self.redis.set(REDIS_KEY_PREFIX + sha256_hash, query, ex=self.ttl_seconds)
        except (RedisError, OSError) as error:
            logger.warning("persisted query store unavailable: %s", type(error).__name__)


class TrustedOperations:
    """The registered documents by hash, from a JSON file `{sha256: text}`, read again when its mtime changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.mtime_ns: int | None = None
        self.by_hash: dict[str, str] = {}

    def _current(self) -> dict[str, str]:
        try:
            mtime_ns = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            self.mtime_ns, self.by_hash = None, {}
            return self.by_hash
        if mtime_ns != self.mtime_ns:
            self.by_hash = read_trusted(self.path)
            self.mtime_ns = mtime_ns
        return self.by_hash

    def by_sha256(self, sha256_hash: str) -> str | None:
        return self._current().get(sha256_hash)


def read_trusted(path: Path) -> dict[str, str]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    operations = loaded.get("operations", {}) if isinstance(loaded, dict) else {}
    return {str(h): str(text) for h, text in operations.items()}


def register_documents(path: Path, documents: Iterable[tuple[str, str]]) -> list[str]:
    """Adds `(sha256, text)` pairs to the trusted list at `path` (written atomically); returns the new hashes."""
    operations = read_trusted(path)
    added = []
    for sha256_hash, text in documents:
        if sha256_hash not in operations:
            operations[sha256_hash] = text
            added.append(sha256_hash)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"operations": operations}, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, path)
    return added


def documents_of(file: Path) -> list[tuple[str, str]]:
    """The documents a frontend build produces: an Apollo persisted-query manifest (`{"format":
    "apollo-persisted-query-manifest", "operations": [{"id", "body"}...]}`, whose ids are the hashes its client sends),
    or a `.graphql` file, registered byte for byte (the client must send exactly this text)."""
    text = file.read_text(encoding="utf-8")
    if file.suffix == ".json":
        manifest = json.loads(text)
        operations = manifest.get("operations") if isinstance(manifest, dict) else None
        if not isinstance(operations, list):
            raise ValueError(f"{file}: not an Apollo persisted-query manifest (no `operations` list)")
        documents = []
        for operation in operations:
            body = operation.get("body") if isinstance(operation, dict) else None
            if not isinstance(body, str):
                raise ValueError(f"{file}: an operation without a `body` text")
            if sha256_hex(body) != operation.get("id", sha256_hex(body)):
                raise ValueError(f"{file}: operation {operation.get('name')!r} has an id that is not its SHA-256")
            documents.append((sha256_hex(body), body))
        return documents
    return [(sha256_hex(text), text)]


@dataclass
class PersistedOperations:
    """What the GraphQL view asks: the text to run for a request's `query` and `extensions`."""

    store: QueryStore
    trusted: TrustedOperations | None
    max_query_length: int

    async def resolve(self, query: str | None, extensions: dict[str, object] | None) -> str | None:
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if self.trusted is not None and query is not None and self.trusted.by_sha256(sha256_hex(query)) is None:
                raise _not_trusted()
            return query
        sha256_hash = _hash_of(persisted)
        if self.trusted is not None:
            known = self.trusted.by_sha256(sha256_hash)
            if known is None or (query is not None and query != known):
                raise _not_trusted()
            return known
        if query is None:
            stored = await self.store.get(sha256_hash)
            if stored is None:
                raise PersistedQueryError(200, NOT_FOUND_CODE, NOT_FOUND_MESSAGE)
            return stored
        if sha256_hex(query) != sha256_hash:
            raise PersistedQueryError(
                400, "PERSISTED_QUERY_HASH_MISMATCH", "extensions.persistedQuery.sha256Hash is not the query's SHA-256."
            )
        if len(query) <= self.max_query_length:
            await self.store.put(sha256_hash, query)
        return query


def _hash_of(persisted: object) -> str:
    if not isinstance(persisted, dict) or persisted.get("version") != APQ_VERSION:
        raise PersistedQueryError(
            400, "PERSISTED_QUERY_NOT_SUPPORTED", "Only extensions.persistedQuery version 1 (SHA-256) is supported."
        )
    sha256_hash = persisted.get("sha256Hash")
    if not isinstance(sha256_hash, str) or len(sha256_hash) != 64:
        raise PersistedQueryError(
            400, "BAD_USER_INPUT", "extensions.persistedQuery.sha256Hash must be 64 hexadecimal characters."
        )
    return sha256_hash.lower()


def _not_trusted() -> PersistedQueryError:
    return PersistedQueryError(
        400,
        "OPERATION_NOT_TRUSTED",
        "This server runs only registered operations (TRUSTED_OPERATIONS_ONLY); register the document with "
        "`phananh operations register`.",
    )


@asynccontextmanager
async def open_persisted_operations(settings: Settings) -> AsyncIterator[PersistedOperations]:
    """The store the settings choose (`CACHE_URL`, by default Redis when `EVENTS_URL` is Redis), for the app's life."""
    trusted = TrustedOperations(settings.trusted_operations_file) if settings.trusted_operations_only else None
    if not settings.cache_url.startswith(("redis://", "rediss://")):
        yield PersistedOperations(
            MemoryQueryStore(settings.persisted_queries_max), trusted, settings.graphql_max_query_length
        )
        return
    redis = Redis.from_url(settings.cache_url)
    try:
        yield PersistedOperations(
            RedisQueryStore(redis, settings.persisted_queries_ttl_seconds), trusted, settings.graphql_max_query_length
        )
    finally:
        await redis.aclose()
