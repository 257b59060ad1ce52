"""Handing a draft from the Zalo mini-app to the city app. The rules are in `services.handoff`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base.info import Info
from schema.base.permissions import IsCitizen, require_principal
from schema.handoff.inputs import ReportDraftInput
from schema.handoff.types import HandoffType, ReportDraftType
from services.handoff import links as handoff
from services.handoff.drafts import DraftInput


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsCitizen],
        description=(
            "Zalo mini-app (CITIZEN signed in with Zalo): keep a draft and get a single-use, short-lived link into "
            "the city app's report form, with its QR code. FORBIDDEN (reason `not_zalo`) for accounts without Zalo; "
            "RATE_LIMITED past 20 links an hour."
        ),
    )
    async def create_handoff(
        self,
        info: Info,
        draft: Annotated[
            ReportDraftInput | None, strawberry.argument(description="What the citizen filled in so far.")
        ] = None,
    ) -> HandoffType:
        issued = await handoff.create_handoff(
            info.context.handoff_rules, require_principal(info), draft.to_draft() if draft else DraftInput()
        )
        return HandoffType.from_issued(issued)

    @strawberry.mutation(
        permission_classes=[IsCitizen],
        description=(
            "City app (CITIZEN): open a handoff link once and get its draft; links this account with the Zalo account "
            "that made it, so both apps show the same reports. NOT_FOUND (reason `unknown`) for a token that never "
            "existed; CONFLICT with reason `already_redeemed`, `expired` or `account_unavailable` (the Zalo "
            "account was deactivated)."
        ),
    )
    async def redeem_handoff(
        self,
        info: Info,
        token: Annotated[str, strawberry.argument(description="The `token` query parameter of the handoff link.")],
    ) -> ReportDraftType:
        draft = await handoff.redeem_handoff(require_principal(info), token)
        return ReportDraftType.from_stored(draft)
