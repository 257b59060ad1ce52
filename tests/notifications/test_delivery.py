"""Sending through the Zalo OA message API, tested against a small local server on 127.0.0.1 (never Zalo): failures
are retried with growing delays, give up after the allowed attempts, and never touch the decision."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import httpx
import pytest

from models.enums import NotificationStatus
from models.notifications import Notification
from models.reports import Report
from services.notifications.dispatch import RetryPolicy, send_due
from services.notifications.zalo_oa import ZaloOaNotifier
from tests.helpers.factories import Caller, make_report
from tests.helpers.fake_http import JsonHandler, serving
from tests.helpers.graphql import only_data
from tests.helpers.handoff_calls import zalo_caller
from tests.helpers.reports_api import ANSWER, decide

OA_TOKEN = "oa-access-token-for-tests"
POLICY = RetryPolicy(max_attempts=3, base_seconds=30)


class FakeZaloOa(JsonHandler):
    """Answers `POST /message/cs` with the next scripted (HTTP status, body), then success; records what it got."""

    script: ClassVar[list[tuple[int, dict[str, Any]]]] = []
    seen: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        FakeZaloOa.seen.append(
            {"path": self.path, "token": self.headers.get("access_token"), "body": json.loads(self.rfile.read(length))}
        )
        status, body = FakeZaloOa.script.pop(0) if FakeZaloOa.script else (200, {"error": 0, "message": "Success"})
        self.reply(status, body)


@pytest.fixture
def zalo_oa() -> Iterator[str]:
    FakeZaloOa.seen.clear()
    FakeZaloOa.script.clear()
    with serving(FakeZaloOa) as url:
        yield f"{url}/v3.0/oa"


async def _decided(client: httpx.AsyncClient, officer: Caller, zalo_id: str) -> Report:
    zalo = await zalo_caller(client, zalo_id)
    report = await make_report(zalo.user)
    decided = only_data(await decide(client, officer, str(report.id), outcome="REJECT", responseToCitizen=ANSWER))
    assert decided["decideReport"]["status"] == "REJECTED"
    return report


async def test_failures_are_retried_with_backoff_until_zalo_takes_it(
    client: httpx.AsyncClient, officer: Caller, zalo_oa: str
) -> None:
    FakeZaloOa.script.extend([(200, {"error": -216, "message": "Access token is invalid"}), (502, {})])
    report = await _decided(client, officer, "zl-oa-1")
    notifier = ZaloOaNotifier(zalo_oa, OA_TOKEN)
    start = datetime.now(UTC)

    assert (await send_due(notifier, POLICY, start)).retried == 1
    first = await Notification.get()
    assert (first.status, first.attempts, first.next_attempt_at) == (
        NotificationStatus.PENDING,
        1,
        start + timedelta(seconds=30),
    )
    assert "error -216" in (first.last_error or "")
    assert (await send_due(notifier, POLICY, start + timedelta(seconds=29))).retried == 0, "not due yet"

    assert (await send_due(notifier, POLICY, start + timedelta(seconds=30))).retried == 1
    second = await Notification.get()
    assert (second.attempts, second.next_attempt_at) == (2, start + timedelta(seconds=90))
    assert second.last_error == "Zalo OA answered HTTP 502"

    assert (await send_due(notifier, POLICY, start + timedelta(seconds=90))).sent == 1
    sent = await Notification.get()
    assert (sent.status, sent.attempts, sent.last_error) == (NotificationStatus.SENT, 3, None)
    assert [seen["path"] for seen in FakeZaloOa.seen] == ["/v3.0/oa/message/cs"] * 3
    assert {seen["token"] for seen in FakeZaloOa.seen} == {OA_TOKEN}
    message = FakeZaloOa.seen[-1]["body"]
    assert message["recipient"] == {"user_id": "zl-oa-1"}
    assert report.code in message["message"]["text"]
    assert ANSWER in message["message"]["text"]


async def test_an_unreachable_zalo_is_given_up_after_the_last_attempt(
    client: httpx.AsyncClient, officer: Caller
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    await _decided(client, officer, "zl-oa-down")
    notifier = ZaloOaNotifier(f"http://127.0.0.1:{closed_port}/v3.0/oa", OA_TOKEN)
    now = datetime.now(UTC)
    outcomes = []
    for _ in range(POLICY.max_attempts):
        summary = await send_due(notifier, POLICY, now)
        outcomes.append((summary.sent, summary.retried, summary.failed))
        now = (await Notification.get()).next_attempt_at
    assert outcomes == [(0, 1, 0), (0, 1, 0), (0, 0, 1)]
    failed = await Notification.get()
    assert (failed.status, failed.attempts) == (NotificationStatus.FAILED, POLICY.max_attempts)
    assert failed.last_error is not None
    assert "unreachable" in failed.last_error
    assert OA_TOKEN not in failed.last_error
    assert (await send_due(notifier, POLICY, now + timedelta(days=1))).failed == 0


async def test_a_message_is_claimed_by_one_sender_only(
    client: httpx.AsyncClient, officer: Caller, zalo_oa: str
) -> None:
    await _decided(client, officer, "zl-oa-once")
    notifier = ZaloOaNotifier(zalo_oa, OA_TOKEN)
    summaries = await asyncio.gather(*(send_due(notifier, POLICY) for _ in range(3)))
    assert sum(summary.sent for summary in summaries) == 1
    assert len(FakeZaloOa.seen) == 1


def test_backoff_doubles_and_is_capped() -> None:
    assert [POLICY.delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert POLICY.delay(40) == POLICY.delay(10_000) == timedelta(hours=6)
