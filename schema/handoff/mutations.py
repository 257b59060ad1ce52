"""Handing a draft from the Zalo mini-app to the city app, and joining the two accounts of one citizen only when
both prove the same phone and the city app confirms. The rules are in `services.handoff`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.accounts.types import AccountJoinType
from schema.base import bounds
from schema.base.info import Info
from schema.base.permissions import IsCitizen, require_principal
from schema.handoff.inputs import JoinPhoneInput, ReportDraftInput
from schema.handoff.types import HandoffType, ReportDraftType
from services.handoff import joins
from services.handoff import links as handoff
from services.handoff.drafts import DraftInput


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsCitizen],
        description=(
            "Zalo mini-app (CITIZEN signed in with Zalo): keep a draft and get a single-use, short-lived link into "
            "the city app's report form, with its QR code. FORBIDDEN (reason `not_zalo`) for accounts without Zalo; "
            "RATE_LIMITED past 20 links an hour. With `joinPhone` the link also offers to join this account with "
            "the city-app account of that phone (see `confirmAccountJoin`)."
        ),
    )
    async def create_handoff(
        self,
        info: Info,
        draft: Annotated[
            ReportDraftInput | None, strawberry.argument(description="What the citizen filled in so far.")
        ] = None,
        join_phone: Annotated[
            JoinPhoneInput | None,
            strawberry.argument(description="Offer to join accounts, proving your phone; omit to hand the draft only."),
        ] = None,
    ) -> HandoffType:
        ctx = info.context
        issued = await handoff.create_handoff(
            ctx.handoff_rules,
            require_principal(info),
            draft.to_draft() if draft else DraftInput(),
            join=join_phone.to_proof(ctx.sign_in_rules) if join_phone else None,
        )
        return HandoffType.from_issued(issued)

    @strawberry.mutation(
        permission_classes=[IsCitizen],
        description=(
            "City app (CITIZEN): open a handoff link once and get its draft and its uploads. Never joins accounts "
            "and tells the link's maker nothing; `joinOffer` says whether the link offers a join you may confirm. "
            "NOT_FOUND (reason `unknown`) for a token that never existed; CONFLICT with reason `already_redeemed`, "
            "`expired` or `account_unavailable` (the Zalo account was deactivated)."
        ),
    )
    async def redeem_handoff(
        self,
        info: Info,
        token: Annotated[str, bounds.argument("The `token` query parameter of the handoff link.", bounds.OWN_TOKEN)],
    ) -> ReportDraftType:
        redemption = await handoff.redeem_handoff(info.context.handoff_rules, require_principal(info), token)
        return ReportDraftType.from_redemption(redemption)

    @strawberry.mutation(
        permission_classes=[IsCitizen],
        description=(
            "City app (CITIZEN), after `redeemHandoff` showed a CONFIRMABLE `joinOffer` and the citizen agreed: join "
            "this account into the Zalo account named, which keeps every report, upload and sign-in of both. "
            "Needs this account to sign in with the phone the Zalo account proved; again after success answers the "
            "same join. NOT_FOUND (`unknown`); FORBIDDEN with reason `phone_mismatch` or `not_redeemer`; CONFLICT "
            "with reason `no_join_offered`, `not_redeemed`, `expired`, `same_account`, `already_joined` or "
            "`account_unavailable`; "
            "BAD_USER_INPUT (field `zaloAccountId`) when the account named is not the one offered. An administrator "
            "can split a join (`splitAccountJoin`)."
        ),
    )
    async def confirm_account_join(
        self,
        info: Info,
        token: Annotated[str, bounds.argument("The token of the link just redeemed.", bounds.OWN_TOKEN)],
        zalo_account_id: Annotated[
            strawberry.ID, bounds.argument("`joinOffer.zaloAccountId`, as shown to the citizen.", bounds.ID)
        ],
    ) -> AccountJoinType:
        join = await joins.confirm_account_join(
            require_principal(info), token, zalo_account_id, info.context.handoff_rules.ttl_seconds
        )
        return AccountJoinType.from_model(join)
