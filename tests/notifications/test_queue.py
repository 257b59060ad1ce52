"""Answers back on Zalo: queued with the decision in one transaction, sent later by the dev notifier, from the server's
background worker or the `phananh send-notifications` command."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from api.notifications import notification_worker, notifier
from core.settings import Settings, SettingsError
from models.decisions import Decision
from models.enums import IdentityProvider, NotificationStatus
from models.notifications import Notification
from models.users import Identity
from services.notifications.outbox import DevNotificationOutbox
from tests.helpers.auth_flows import run_cli
from tests.helpers.environment import PRODUCTION_ENV, make_settings
from tests.helpers.factories import Caller, make_report
from tests.helpers.graphql import assert_refused, only_data
from tests.helpers.handoff_calls import zalo_caller
from tests.helpers.reports_api import ANSWER, decide


async def test_every_decision_queues_one_answer_per_zalo_identity(
    client: httpx.AsyncClient, officer: Caller, citizen: Caller
) -> None:
    zalo = await zalo_caller(client, "zl-queue")
    report = await make_report(zalo.user)
    only_data(await decide(client, officer, str(report.id), outcome="ACCEPT"))
    only_data(await decide(client, officer, str(report.id), outcome="RESOLVE", responseToCitizen=ANSWER))
    queued = await Notification.all().order_by("id")
    assert [(n.recipient, n.payload["outcome"], n.status) for n in queued] == [
        ("zl-queue", "ACCEPT", NotificationStatus.PENDING),
        ("zl-queue", "RESOLVE", NotificationStatus.PENDING),
    ]
    assert ANSWER in queued[1].payload["text"]
    assert report.code in queued[0].payload["text"]

    phone_only = await make_report(citizen.user)
    only_data(await decide(client, officer, str(phone_only.id), outcome="ACCEPT"))
    assert await Notification.all().count() == 2, "a citizen without Zalo gets no Zalo message"


async def test_a_refused_decision_queues_nothing(client: httpx.AsyncClient, officer: Caller) -> None:
    zalo = await zalo_caller(client, "zl-refused")
    report = await make_report(zalo.user)
    body = await decide(client, officer, str(report.id), outcome="PENALIZE", responseToCitizen=ANSWER)
    assert_refused(body, "CONFLICT")
    assert await Notification.all().count() == 0
    assert await Decision.all().count() == 0


async def test_the_server_worker_sends_in_the_background(
    client: httpx.AsyncClient, officer: Caller, settings: Settings, tmp_path: Path
) -> None:
    zalo = await zalo_caller(client, "zl-worker")
    report = await make_report(zalo.user)
    fast = make_settings(settings.database_url, tmp_path, NOTIFICATION_POLL_SECONDS="1")
    async with notification_worker(fast) as task:
        assert task is not None
        only_data(await decide(client, officer, str(report.id), outcome="ACCEPT"))
        for _ in range(100):
            if await Notification.filter(status=NotificationStatus.SENT).exists():
                break
            await asyncio.sleep(0.05)
    assert task.cancelled()
    outbox = notifier(fast)
    assert isinstance(outbox, DevNotificationOutbox)
    assert [m["to"] for m in outbox.read()] == ["zl-worker"]


async def test_no_worker_without_a_poll_interval_or_a_notifier(settings: Settings, tmp_path: Path) -> None:
    for overrides in ({"NOTIFICATION_POLL_SECONDS": "0"}, {"NOTIFIER": "disabled"}):
        async with notification_worker(make_settings(settings.database_url, tmp_path, **overrides)) as task:
            assert task is None


async def test_the_cli_sends_and_shows_the_dev_outbox(
    client: httpx.AsyncClient, officer: Caller, settings: Settings
) -> None:
    zalo = await zalo_caller(client, "zl-cli")
    report = await make_report(zalo.user)
    only_data(await decide(client, officer, str(report.id), outcome="REJECT", responseToCitizen=ANSWER))
    env = {"APP_ENV": "test", "DATABASE_URL": settings.database_url, "VAR_DIR": str(settings.var_dir)}
    status, stdout, _ = await run_cli("send-notifications", env=env)
    assert (status, stdout.strip()) == (0, "sent 1, to retry 0, given up 0")
    assert (await Notification.get()).status is NotificationStatus.SENT
    status, stdout, _ = await run_cli("notifications", "--to", "zl-cli", env=env)
    assert status == 0
    assert f"ZALO zl-cli  Phản ánh {report.code}" in stdout
    response = await client.get("/dev/notifications", params={"to": "zl-cli", "limit": "abc"})
    assert response.status_code == 400


async def test_production_serves_no_dev_notifications(settings: Settings, tmp_path: Path) -> None:
    from tests.helpers.auth_flows import client_for

    production = make_settings(settings.database_url, tmp_path, **PRODUCTION_ENV)
    assert production.notifier == "disabled"
    async with client_for(production) as http:
        assert (await http.get("/dev/notifications")).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({**PRODUCTION_ENV, "NOTIFIER": "outbox"}, "production needs NOTIFIER=zalo-oa"),
        ({**PRODUCTION_ENV, "CITY_APP_HANDOFF_URL": "http://localhost:5173/handoff"}, "https address in production"),
        ({"NOTIFIER": "zalo-oa"}, "needs ZALO_OA_ACCESS_TOKEN"),
        ({"NOTIFIER": "sms"}, "NOTIFIER must be"),
        ({"NOTIFICATION_MAX_ATTEMPTS": "0"}, "NOTIFICATION_MAX_ATTEMPTS must be positive"),
        ({"HANDOFF_TTL_SECONDS": "-5"}, "HANDOFF_TTL_SECONDS must be positive"),
        ({"CITY_APP_HANDOFF_URL": "javascript:alert(1)"}, "CITY_APP_HANDOFF_URL"),
    ],
)
def test_settings_refuse_unsafe_notification_setups(overrides: dict[str, str], message: str) -> None:
    env = {"JWT_SECRET": "p" * 48, "SESSION_SECRET": "q" * 48, **overrides}
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_production_sends_through_zalo_when_given_a_token() -> None:
    env = {**PRODUCTION_ENV, "ZALO_OA_ACCESS_TOKEN": "oa-token"}
    settings = Settings.from_env(env)
    assert settings.notifier == "zalo-oa"
    assert "oa-token" not in repr(settings)


async def test_identities_are_what_decides_the_recipient(client: httpx.AsyncClient, officer: Caller) -> None:
    """Two Zalo identities on one joined account (two phones, two Zalo users) each get the answer."""
    zalo = await zalo_caller(client, "zl-two-a")
    await Identity.create(user=zalo.user, provider=IdentityProvider.ZALO, subject="zl-two-b")
    report = await make_report(zalo.user)
    only_data(await decide(client, officer, str(report.id), outcome="ACCEPT"))
    assert sorted(await Notification.all().values_list("recipient", flat=True)) == ["zl-two-a", "zl-two-b"]


async def test_a_long_answer_fits_a_zalo_message(client: httpx.AsyncClient, officer: Caller) -> None:
    zalo = await zalo_caller(client, "zl-long")
    report = await make_report(zalo.user)
    only_data(await decide(client, officer, str(report.id), outcome="REJECT", responseToCitizen="ạ" * 2000))
    assert len((await Notification.get()).payload["text"]) == 2000
