"""The server's sender through a Zalo outage: it backs off between rounds, logs one line when Zalo goes away and one
when it returns, and sends what waited once Zalo is back."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
from collections.abc import Iterator
from typing import ClassVar

import httpx
import pytest

from models.enums import NotificationStatus
from models.notifications import Notification
from services.notifications import dispatch
from services.notifications.availability import Availability, backoff_seconds
from services.notifications.dispatch import DispatchSummary, RetryPolicy, run_worker
from services.notifications.zalo_oa import ZaloOaNotifier
from tests.helpers.factories import Caller, make_report
from tests.helpers.fake_http import JsonHandler, serving
from tests.helpers.graphql import only_data
from tests.helpers.handoff_calls import zalo_caller
from tests.helpers.reports_api import ANSWER, decide

# Message retries come due at once, so that only the worker's own backoff spaces the rounds.
POLICY = RetryPolicy(max_attempts=1000, base_seconds=0)
POLL_SECONDS = 0.05
OUTAGE_SECONDS = 1.5


class FlakyZaloOa(JsonHandler):
    """503 while `down`, then Zalo's success answer; counts the messages it was sent."""

    down: ClassVar[bool] = True
    posts: ClassVar[int] = 0

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        json.loads(self.rfile.read(length))
        FlakyZaloOa.posts += 1
        if FlakyZaloOa.down:
            self.reply(503, {})
        else:
            self.reply(200, {"error": 0, "message": "Success"})


@pytest.fixture
def flaky_zalo() -> Iterator[str]:
    FlakyZaloOa.down, FlakyZaloOa.posts = True, 0
    with serving(FlakyZaloOa) as url:
        yield f"{url}/v3.0/oa"


async def test_a_zalo_outage_is_two_log_lines_and_the_sender_backs_off(
    client: httpx.AsyncClient, officer: Caller, flaky_zalo: str, caplog: pytest.LogCaptureFixture
) -> None:
    for n in range(3):
        zalo = await zalo_caller(client, f"zl-outage-{n}")
        report = await make_report(zalo.user)
        decided = only_data(await decide(client, officer, str(report.id), outcome="REJECT", responseToCitizen=ANSWER))
        assert decided["decideReport"]["status"] == "REJECTED"
    caplog.set_level(logging.INFO, logger="phananh.notifications")
    worker = asyncio.create_task(run_worker(ZaloOaNotifier(flaky_zalo, "oa-token"), POLICY, POLL_SECONDS))
    try:
        await asyncio.sleep(OUTAGE_SECONDS)
        posts_while_down = FlakyZaloOa.posts
        FlakyZaloOa.down = False
        deadline = time.monotonic() + 30
        while await Notification.filter(status=NotificationStatus.SENT).count() < 3:
            assert time.monotonic() < deadline, "the waiting answers were not sent after Zalo came back"
            await asyncio.sleep(0.05)
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
    # Without backoff a round every 50 ms, three messages each: about 90 requests; with it a handful.
    assert 1 <= posts_while_down <= 7, posts_while_down
    lines = [record for record in caplog.records if record.name == "phananh.notifications"]
    assert [record.getMessage().split(" (")[0].split(" after")[0] for record in lines] == [
        "the notification provider is unavailable",
        "the notification provider is available again",
    ]
    assert all(record.exc_info is None for record in lines)


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    provider = Availability("x", logging.getLogger("test"))
    assert backoff_seconds(10, 300, provider) == 10
    delays = []
    for _ in range(8):
        provider.failed("down")
        delays.append(backoff_seconds(10, 300, provider, jitter=lambda: 1.0))
    assert delays == [10, 20, 40, 80, 160, 300, 300, 300]
    assert backoff_seconds(10, 300, provider, jitter=lambda: 0.0) == 150
    provider.succeeded()
    assert backoff_seconds(10, 300, provider) == 10


async def test_a_database_outage_is_two_log_lines_without_tracebacks(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The sender's database errors (before: a full traceback every round) are one line down and one line back."""
    rounds: list[float] = []
    enough = asyncio.Event()

    async def database_down_for_five_rounds(notifier: object, policy: RetryPolicy, **_: object) -> DispatchSummary:
        rounds.append(time.monotonic())
        if len(rounds) >= 8:
            enough.set()
        if len(rounds) <= 5:
            raise ConnectionRefusedError("database down")
        return DispatchSummary()

    monkeypatch.setattr(dispatch, "send_due", database_down_for_five_rounds)
    caplog.set_level(logging.INFO, logger="phananh.notifications")
    worker = asyncio.create_task(run_worker(ZaloOaNotifier("http://127.0.0.1:9", "t"), POLICY, 0.01))
    try:
        await asyncio.wait_for(enough.wait(), 30)
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
    messages = [record.getMessage() for record in caplog.records if record.name == "phananh.notifications"]
    assert (
        messages[0]
        == "the database (notification sender) is unavailable (ConnectionRefusedError); retrying with backoff"
    )
    assert messages[1].startswith("the database (notification sender) is available again after")
    assert len(messages) == 2
    assert all(record.exc_info is None for record in caplog.records)
    gaps = [later - earlier for earlier, later in itertools.pairwise(rounds)]
    assert gaps[3] > 2.5 * 0.01, gaps  # the fourth wait of the outage is about 8 polls, the first 1
    assert gaps[3] > gaps[0], gaps
