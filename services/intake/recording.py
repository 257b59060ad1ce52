"""Recording a report for a provider: data that reached an agency by its announced hotline, in person or by post
(Decree 61/2026, art. 18), written down by one of its officers or its admin.

Nothing here is a second way of making reports: `services.reports.submission.create` runs the citizens' very
transaction (the same checks and bounds, routing, numbering, due time, timeline, outbox event, statistics and
idempotency), with an `Intake` as its sender. The staff member is the sender: the evidence must be their own uploads
(`createMediaUpload`, checked like a citizen's), the idempotency key is theirs, and SUBMITTED names them as its
actor, which is the record of who wrote the report down. City admins oversee but do not record, as they do not
decide.

Whose report it is (the reporter) is chosen for the provider's privacy:
- with a phone, the citizen who signs in with that phone: found by its phone identity, or made now with it and
  nothing else, so that after signing in with a code sent to that phone the person sees their report in the app.
  Whoever can read an SMS to that number can sign in with it, so the app shows no more than an SMS answer would.
  The name told to staff is never written onto the account (a mistyped phone must not hand a stranger the name);
- without a phone, a new account nobody can sign in to, one per report, so that anonymous providers are never taken
  for one person.
The name and phone as told stay on the `ReportProvider` row, for the handling agency only (`providers`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from auth.phones import normalise_phone
from auth.principal import Principal
from core import clock
from core.errors import InvalidInput
from models.enums import Channel, IdentityProvider, Role
from models.intake import ReportProvider
from models.reports import Report
from models.users import Identity, User
from services.common import limits, policies
from services.reports import idempotency, submission
from services.reports.drafts import ReportDraft

INTAKE_CHANNELS = frozenset({Channel.HOTLINE, Channel.WALK_IN, Channel.POST})
NAME_MAX = 200
# A hotline desk records far more than one citizen sends, but a stolen staff token must not flood the agencies.
RECORDS_PER_HOUR = 200


@dataclass(frozen=True)
class ProviderDraft:
    """The provider as staff heard or read them; both parts optional."""

    name: str = ""
    phone: str | None = None


@dataclass(frozen=True)
class Intake:
    """The sender of a recorded report (`submission.Sender`): the staff member, for the provider."""

    user_id: uuid.UUID
    name: str
    phone: str | None

    async def reporter(self, connection: BaseDBAsyncClient) -> uuid.UUID:
        if self.phone is None:
            return (await User.create(role=Role.CITIZEN, is_active=False, using_db=connection)).id
        known = await Identity.filter(provider=IdentityProvider.PHONE, subject=self.phone).using_db(connection).first()
        if known is not None:
            return known.user_id
        user = await User.create(role=Role.CITIZEN, phone=self.phone, using_db=connection)
        await Identity.create(user_id=user.id, provider=IdentityProvider.PHONE, subject=self.phone, using_db=connection)
        return user.id

    async def record(self, connection: BaseDBAsyncClient, report: Report, now: datetime) -> None:
        await ReportProvider.create(
            report_id=report.id,
            name=self.name,
            phone=self.phone,
            recorded_by_id=self.user_id,
            recorded_at=now,
            using_db=connection,
        )


def check_provider(draft: ProviderDraft) -> tuple[str, str | None]:
    """The name trimmed and bounded; the phone in its one canonical form (a mobile number, since answers go by SMS)."""
    name = " ".join(draft.name.split())
    if len(name) > NAME_MAX:
        raise InvalidInput(f"The provider's name must be at most {NAME_MAX} characters.", field="provider.name")
    raw = (draft.phone or "").strip()
    if not raw:
        return name, None
    try:
        return name, normalise_phone(raw)
    except InvalidInput as refusal:
        raise InvalidInput(refusal.message, field="provider.phone") from None


async def record_report(
    principal: Principal,
    draft: ReportDraft,
    provider: ProviderDraft,
    idempotency_key: str,
    *,
    max_age_days: int,
    now: datetime | None = None,
) -> Report:
    """Record the report, or return the one this staff member's key already produced."""
    policies.require(
        policies.is_agency_staff(principal), "Only an agency's officers and admins record reports for providers."
    )
    now = now or clock.now()
    key = idempotency.check_key(idempotency_key)
    clean = submission.validate(draft, now=now, max_age_days=max_age_days, channels=INTAKE_CHANNELS)
    name, phone = check_provider(provider)
    request_hash = idempotency.fingerprint({"report": clean.fingerprint(), "name": name, "phone": phone})
    limit = limits.Limit(
        limits.bucket("reports.record", str(principal.user_id)),
        limits.Quota(RECORDS_PER_HOUR, 3600),
        f"At most {RECORDS_PER_HOUR} recorded reports an hour per staff member; try again later.",
    )
    return await submission.create(Intake(principal.user_id, name, phone), key, clean, request_hash, limit, now)
