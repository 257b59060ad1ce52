"""Rate limits that hold under concurrency: a counter row per bucket, taken by one atomic statement.

A `Limit` is a quota (at most `limit` takes in `seconds`) on a bucket (a scope such as `otp.phone` and the subjects it
counts, e.g. the phone). A bucket's window opens at its first take and lasts `seconds`; the take that would pass the
limit is refused with the seconds left in that window. Counting rows and then inserting one is what let 20
simultaneous requests through a limit of 1 (issue 14); here the decision is the write itself, an
`INSERT ... ON CONFLICT DO UPDATE ... WHERE hits < limit` that PostgreSQL runs under the row's lock and SQLite under
its write lock, so takes from any number of requests and workers are counted one after another. Several limits are
taken in one transaction, in bucket order (so two takers never wait on each other in a circle), all or none.
A write that should only count when it happens (a report) takes its limit inside its own transaction
(`take_within`): a refused or failed write gives its take back by rolling back, and costs no transaction of its own.

Windows are fixed from their first take, not sliding: a client that spends a quota at the end of one window may spend
it again at the start of the next, so up to twice the limit can pass within one window's length. A limit of one is
exact (nothing passes until the window ends), which is what a wait between codes needs.

The database is the one store every worker already shares, on SQLite and PostgreSQL alike, so no limit depends on
Redis being up or configured.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from core import clock
from core.errors import RateLimited
from core.metrics import RATE_LIMITED
from models.limits import RateCounter
from services.common.sql import Statement, dialect_of

SUBJECT_DIGEST_CHARS = 32
IPV6_SUBSCRIBER_PREFIX = 64
TAKE = Statement(
    "INSERT INTO rate_counter (bucket, hits, resets_at_ms) VALUES (?, 1, ?) "
    "ON CONFLICT (bucket) DO UPDATE SET "
    "hits = CASE WHEN rate_counter.resets_at_ms <= ? THEN 1 ELSE rate_counter.hits + 1 END, "
    "resets_at_ms = CASE WHEN rate_counter.resets_at_ms <= ? THEN excluded.resets_at_ms "
    "ELSE rate_counter.resets_at_ms END "
    "WHERE rate_counter.resets_at_ms <= ? OR rate_counter.hits < ? "
    "RETURNING hits, resets_at_ms"
)
REMEMBER = Statement(
    "INSERT INTO rate_counter (bucket, hits, resets_at_ms) VALUES (?, 1, ?) "
    "ON CONFLICT (bucket) DO UPDATE SET resets_at_ms = excluded.resets_at_ms"
)


@dataclass(frozen=True)
class Quota:
    limit: int
    seconds: int


@dataclass(frozen=True)
class Limit:
    """`message` is what the caller reads when this limit is the one that refuses."""

    bucket: str
    quota: Quota
    message: str


@dataclass(frozen=True)
class Taken:
    """One take, which `give_back` can return while its window lasts; `opened` when it opened the bucket's window."""

    bucket: str
    resets_at_ms: int
    opened: bool = False


def bucket(scope: str, *subjects: str) -> str:
    """`scope:digest:digest...`. Subjects are digested so that a bucket has a bounded length whatever the input,
    the table holds no phone number or address in clear, and a bucket is a prefix of the buckets under it (`clear`).
    The digest is not a secret: a phone number could be found from it by trying them all."""
    digests = (hashlib.sha256(subject.encode()).hexdigest()[:SUBJECT_DIGEST_CHARS] for subject in subjects)
    return ":".join((scope, *digests))


def address_subject(address: str) -> str:
    """What a client address is counted as: an IPv4 address itself, an IPv6 address by its /64 (one subscriber is
    given a whole /64, so counting single addresses would give them 2^64 quotas)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_SUBSCRIBER_PREFIX}", strict=False))
    return str(parsed)


def _now_ms() -> int:
    return int(clock.now().timestamp() * 1000)


async def take(*limits: Limit) -> list[Taken]:
    """Take one from every limit, or from none and raise `RateLimited` with the longest wait among the refusals.
    The takes come back in the order of `limits`."""
    async with in_transaction() as connection:
        taken = await take_within(connection, *limits)
    await sweep_after(taken)
    return taken


async def take_within(connection: BaseDBAsyncClient, *limits: Limit) -> list[Taken]:
    """`take`, in the caller's transaction: the takes count when it commits and come back if it rolls back, and until
    then each bucket's row stays locked (a second take of the bucket waits for the outcome of the first). The caller
    calls `sweep_after` once it committed."""
    now = _now_ms()
    taken: dict[str, Taken] = {}
    refusals: list[tuple[int, Limit]] = []
    for limit in sorted(limits, key=lambda one: one.bucket):
        counted = await _take_one(connection, limit, now)
        if counted is None:  # the row exists (it refused) and this transaction holds it
            counter = await RateCounter.get(bucket=limit.bucket, using_db=connection)
            refusals.append((counter.resets_at_ms, limit))
        else:
            hits, resets_at_ms = counted
            taken[limit.bucket] = Taken(limit.bucket, resets_at_ms, opened=hits == 1)
    if refusals:
        resets_at, refusing = max(refusals, key=lambda refusal: refusal[0])
        RATE_LIMITED.labels(refusing.bucket.split(":", 1)[0]).inc()  # the limit's name, never its subject
        raise RateLimited(refusing.message, retry_after_seconds=max(1, math.ceil((resets_at - now) / 1000)))
    return [taken[limit.bucket] for limit in limits]


async def sweep_after(taken: list[Taken]) -> None:
    """Forget the buckets whose windows ended, when one of `taken` opened a window (so at most once a window per
    bucket). Never inside a transaction that holds a bucket: deleting the rows other takers hold could deadlock."""
    if any(one.opened for one in taken):
        await RateCounter.filter(resets_at_ms__lt=_now_ms()).delete()


async def _take_one(connection: BaseDBAsyncClient, limit: Limit, now: int) -> tuple[int, int] | None:
    """The bucket's hits and window end after this take, or None when the limit refuses it."""
    params = [limit.bucket, now + limit.quota.seconds * 1000, now, now, now, limit.quota.limit]
    rows = await connection.execute_query_dict(TAKE.numbered(dialect_of(connection)).sql, params)
    return (int(rows[0]["hits"]), int(rows[0]["resets_at_ms"])) if rows else None


async def give_back(*taken: Taken) -> None:
    """Return takes that turned out not to count (a sign-in that succeeded); a window that ended meanwhile is left."""
    for one in taken:
        await RateCounter.filter(bucket=one.bucket, resets_at_ms=one.resets_at_ms, hits__gt=0).update(
            hits=F("hits") - 1
        )


async def clear(prefix: str) -> None:
    """Forget a bucket and every bucket under it (`bucket(scope, a)` is over `bucket(scope, a, b)`)."""
    await RateCounter.filter(Q(bucket=prefix) | Q(bucket__startswith=f"{prefix}:")).delete()


async def remember(name: str, seconds: int) -> None:
    """Keep a mark for `seconds` from now (a bucket used as a flag rather than a counter)."""
    connection = connections.get("default")
    statement = REMEMBER.numbered(dialect_of(connection))
    await connection.execute_query(statement.sql, [name, _now_ms() + seconds * 1000])


async def remembered(name: str) -> bool:
    return await RateCounter.exists(bucket=name, resets_at_ms__gt=_now_ms())
