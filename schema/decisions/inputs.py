from __future__ import annotations

import strawberry

from schema.base.scalars import BigInt
from schema.decisions.types import DecisionOutcome
from services.reports.workflow import DecisionDraft


@strawberry.input(name="DecisionInput", description="A decision about a report. See `decideReport` for the rules.")
class DecisionInput:
    outcome: DecisionOutcome = strawberry.field(description="What is decided.")
    note: str = strawberry.field(default="", description="Internal note for colleagues; citizens never see it.")
    response_to_citizen: str = strawberry.field(
        default="", description="The answer to the citizen; required for REJECT, PENALIZE and RESOLVE."
    )
    fine_amount_vnd: BigInt | None = strawberry.field(
        default=None, description="The fine in whole đồng; required (> 0) for PENALIZE, refused otherwise."
    )
    vehicle_impounded: bool = strawberry.field(default=False, description="PENALIZE only: the vehicle was impounded.")
    legal_basis: str = strawberry.field(default="", description="PENALIZE only (required): the legal text applied.")

    def to_draft(self) -> DecisionDraft:
        return DecisionDraft(
            outcome=self.outcome,
            note=self.note,
            response_to_citizen=self.response_to_citizen,
            fine_amount_vnd=self.fine_amount_vnd,
            vehicle_impounded=self.vehicle_impounded,
            legal_basis=self.legal_basis,
        )
