"""A recorded report reaches the handling agency's console live, like a citizen's: real `graphql-transport-ws`
frames against a running server."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers.factories import Caller
from tests.helpers.live_env import SUBMITTED, ServerPool
from tests.helpers.servers import Server
from tests.helpers.ws import console
from tests.intake.calls import recorded


@pytest.fixture(scope="module")
def server(servers: ServerPool) -> Server:
    return servers.start(EVENTS_URL="memory://")


async def test_the_handling_console_hears_a_recorded_report(
    server: Server, officer: Caller, other_officer: Caller
) -> None:
    """Written down by a ward police officer, heard by the city traffic police that handles it."""
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http, console(server.url, officer.token) as police:
        operation = await police.subscribe(SUBMITTED)
        report = await recorded(http, other_officer, channel="WALK_IN")
        heard = await police.report(operation, within=2)
    assert heard == {"id": report["id"], "code": report["code"], "status": "ROUTED", "agency": {"code": "PC08"}}
