from __future__ import annotations

from datetime import datetime

import strawberry

from models.decisions import Decision
from models.enums import DecisionOutcome
from schema.base.info import Info
from schema.base.scalars import BigInt
from services.reports.scope import may_see_internals

DecisionOutcomeEnum = strawberry.enum(
    DecisionOutcome,
    name="DecisionOutcome",
    description=(
        "ACCEPT: sufficient basis to verify; REJECT: insufficient basis; PENALIZE: a violation record and fine "
        "(after ACCEPT); RESOLVE: handled without a fine (an infrastructure fault fixed, say)."
    ),
)


@strawberry.type(name="Decision", description="One decision of the agency about a report, with its answer.")
class DecisionType:
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    outcome: DecisionOutcome = strawberry.field(description="What was decided.")
    response_to_citizen: str = strawberry.field(description="The answer the citizen reads; empty on ACCEPT.")
    fine_amount_vnd: BigInt | None = strawberry.field(description="The fine in whole đồng (PENALIZE only).")
    vehicle_impounded: bool = strawberry.field(description="Whether the vehicle was impounded (PENALIZE only).")
    legal_basis: str = strawberry.field(description="The legal text the penalty rests on (PENALIZE only).")
    decided_at: datetime = strawberry.field(description="When it was decided.")
    internal_note: strawberry.Private[str]

    @strawberry.field(description="The officer's internal note; null for citizens.")
    def note(self, info: Info) -> str | None:
        return self.internal_note if may_see_internals(info.context.principal) else None

    @classmethod
    def from_model(cls, decision: Decision) -> DecisionType:
        return cls(
            id=strawberry.ID(str(decision.id)),
            outcome=decision.outcome,
            response_to_citizen=decision.response_to_citizen,
            fine_amount_vnd=decision.fine_amount_vnd,
            vehicle_impounded=decision.vehicle_impounded,
            legal_basis=decision.legal_basis,
            decided_at=decision.decided_at,
            internal_note=decision.note,
        )
