"""Issue 8, done when: an admin creates an agency, gives it a ward and a category and a rule; the preview says the
next report of that category in that ward goes there; a citizen's report does; its admin sees its workload and
overdue list, and not another agency's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from auth.tokens import TokenCodec
from models.agencies import Agency
from models.enums import Role
from models.reference import Ward
from models.reports import Report
from tests.helpers.agencies_api import PREVIEW, create_agency, set_rule
from tests.helpers.factories import Caller, make_caller
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.reports_api import submitted

WORK = """
query($id: ID!) {
  agency(id: $id) {
    code
    workload { open overdue byStatus { status count } }
    overdueReports { totalCount edges { node { code agency { code } } } }
  }
}
"""


async def test_a_new_agency_gets_the_reports_its_rule_sends_it(
    client: httpx.AsyncClient, codec: TokenCodec, admin: Caller, citizen: Caller
) -> None:
    ward = await Ward.get(code="00004")
    agency = await create_agency(
        client, admin, code="CSGT-BADINH", kind="TRAFFIC_POLICE", wardCodes=[ward.code], categoryCodes=["RED_LIGHT"]
    )
    rule = await set_rule(client, admin, agencyId=agency["id"], categoryCode="RED_LIGHT", wardCode=ward.code)

    point = {"category": "RED_LIGHT", "lat": ward.latitude, "lon": ward.longitude}
    preview = only_data(await gql(client, PREVIEW, point, admin.token))["routingPreview"]
    assert preview["agency"] == {"code": "CSGT-BADINH"}
    assert preview["rule"]["id"] == rule["id"]
    assert preview["ward"] == {"code": ward.code}

    location = {"latitude": ward.latitude, "longitude": ward.longitude, "address": "Phố thử"}
    report = await submitted(client, citizen, location=location)
    assert report["agency"] == {"id": agency["id"], "code": "CSGT-BADINH"}
    routed = next(event for event in report["timeline"] if event["kind"] == "ROUTED")
    assert routed["reason"] == preview["reason"]

    head = await make_caller(codec, Role.AGENCY_ADMIN, "CSGT-BADINH")
    fresh = only_data(await gql(client, WORK, {"id": agency["id"]}, head.token))["agency"]
    assert fresh["workload"] == {"open": 1, "overdue": 0, "byStatus": [{"status": "ROUTED", "count": 1}]}
    assert fresh["overdueReports"]["totalCount"] == 0

    await Report.filter(id=report["id"]).update(due_at=datetime.now(UTC) - timedelta(minutes=1))
    late = only_data(await gql(client, WORK, {"id": agency["id"]}, head.token))["agency"]
    assert late["workload"]["overdue"] == 1
    assert late["overdueReports"]["edges"] == [{"node": {"code": report["code"], "agency": {"code": "CSGT-BADINH"}}}]

    pc08 = str((await Agency.get(code="PC08")).id)
    assert_refused(await gql(client, WORK, {"id": pc08}, head.token), "FORBIDDEN", "FORBIDDEN")
    elsewhere = await submitted(client, citizen)
    assert elsewhere["agency"]["code"] == "PC08"
