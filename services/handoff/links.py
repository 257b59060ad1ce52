"""Handing a report draft from the Zalo mini-app to the city app by a short-lived, single-use link and its QR code.

The link carries only an opaque random token (256 bits from `secrets`), never the draft or who wrote it; the table
keeps the token's SHA-256, so a leaked table opens no link. Unguessability is what makes it "signed": a forged token
simply matches no row. Redeeming is a conditional update on `redeemed_at IS NULL`, so a link works exactly once
however many devices race for it. Redeeming hands over the draft and its uploads, and nothing else: it never joins
accounts, since a link can be sent to anyone (issue 14). A link may offer a join; `services.handoff.joins` says what
that needs.

Refusals, each distinct: an unknown token is NOT_FOUND (reason `unknown`); a used one CONFLICT (`already_redeemed`);
an expired one CONFLICT (`expired`); one made by an account deactivated since CONFLICT (`account_unavailable`).
"""

from __future__ import annotations

import io
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import segno
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from auth.principal import Principal
from core import clock
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from models.enums import IdentityProvider, MediaStatus
from models.handoff import Handoff
from models.media import Media
from models.users import Identity, User
from services.common import limits, policies
from services.handoff.drafts import DraftInput, clean_draft
from services.handoff.joins import JoinOffer, PhoneProof, offer_for
from services.handoff.tokens import token_hash

TOKEN_BYTES = 32
HANDOFFS_PER_HOUR = 20


@dataclass(frozen=True)
class HandoffRules:
    """Where links lead (the city app's report form) and how long they live; built from settings in `api/`."""

    city_app_url: str
    ttl_seconds: int


@dataclass(frozen=True)
class IssuedHandoff:
    url: str
    qr_code_svg: str
    expires_at: datetime


@dataclass(frozen=True)
class Redemption:
    """The draft as stored (its `mediaIds` narrowed to the uploads actually handed over), and the link's join offer."""

    draft: dict[str, Any]
    join_offer: JoinOffer | None


def handoff_url(rules: HandoffRules, token: str) -> str:
    base = rules.city_app_url
    return f"{base}{'&' if '?' in base else '?'}{urlencode({'token': token})}"


def qr_code_svg(url: str) -> str:
    """A standalone SVG (with its namespace, without an XML declaration) that works inline and as an <img>."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=4, xmldecl=False)
    return out.getvalue().decode()


async def create_handoff(
    rules: HandoffRules,
    principal: Principal,
    draft: DraftInput,
    now: datetime | None = None,
    *,
    join: PhoneProof | None = None,
) -> IssuedHandoff:
    """Zalo citizens only: the account must be known through a Zalo identity, the side that proves itself here.
    With `join`, the link also offers to join the city-app account that signs in with the proven phone."""
    if not policies.is_citizen(principal) or not await Identity.exists(
        user_id=principal.user_id, provider=IdentityProvider.ZALO
    ):
        raise Forbidden("Handoffs start in the Zalo mini-app: sign in with Zalo first.", reason="not_zalo")
    now = now or clock.now()
    clean = await clean_draft(draft, now=now)
    await _check_media(principal.user_id, clean.get("mediaIds", []))
    await limits.take(_links_limit(principal.user_id))
    join_phone = None if join is None else await join.verify()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = now + timedelta(seconds=rules.ttl_seconds)
    await Handoff.create(
        creator_id=principal.user_id,
        draft=clean,
        token_hash=token_hash(token),
        expires_at=expires_at,
        join_phone=join_phone,
    )
    url = handoff_url(rules, token)
    return IssuedHandoff(url=url, qr_code_svg=qr_code_svg(url), expires_at=expires_at)


async def redeem_handoff(
    rules: HandoffRules, principal: Principal, token: str, now: datetime | None = None
) -> Redemption:
    """Return the draft once and hand its unused uploads to the redeemer. Nothing of the redeemer's reaches the
    creator, who is never told who redeemed."""
    policies.require(policies.is_citizen(principal), "Only citizens redeem handoff links.")
    now = now or clock.now()
    handoff = await Handoff.get_or_none(token_hash=token_hash(token))
    if handoff is None:
        raise NotFound("This link is not valid.", field="token", reason="unknown")
    if handoff.redeemed_at is not None:
        raise Conflict("This link was already used.", field="token", reason="already_redeemed")
    if handoff.expires_at <= now:
        raise Conflict("This link has expired; make a new one in Zalo.", field="token", reason="expired")
    async with in_transaction() as connection:
        taken = (
            await Handoff.filter(id=handoff.id, redeemed_at=None)
            .using_db(connection)
            .update(redeemed_at=now, redeemed_by_id=principal.user_id)
        )
        if taken != 1:
            raise Conflict("This link was already used.", field="token", reason="already_redeemed")
        creator = await User.get(id=handoff.creator_id, using_db=connection)
        owner_id: uuid.UUID = creator.merged_into_id or creator.id
        owner = creator if owner_id == creator.id else await User.get(id=owner_id, using_db=connection)
        if not owner.is_active:
            raise Conflict("The Zalo account that made this link was closed.", reason="account_unavailable")
        handed = await _hand_over_media(connection, handoff.draft.get("mediaIds", []), owner_id, principal.user_id)
    handoff.redeemed_at, handoff.redeemed_by_id = now, principal.user_id
    offer = await offer_for(handoff, owner, principal.user_id, rules.ttl_seconds)
    return Redemption(draft={**handoff.draft, "mediaIds": handed}, join_offer=offer)


def _links_limit(creator_id: uuid.UUID) -> limits.Limit:
    """A person makes a few links an hour; more is a script filling the table. Taken atomically (issue 14)."""
    return limits.Limit(
        limits.bucket("handoff.create", str(creator_id)),
        limits.Quota(HANDOFFS_PER_HOUR, 3600),
        f"At most {HANDOFFS_PER_HOUR} links an hour; try again later.",
    )


async def _hand_over_media(
    connection: BaseDBAsyncClient, media_ids: list[str], owner_id: uuid.UUID, redeemer_id: uuid.UUID
) -> list[str]:
    """The draft's uploads still unused by the creator become the redeemer's, ready for `submitReport`."""
    if not media_ids:
        return []
    unused = Media.filter(id__in=media_ids, report_id=None, status__in=[MediaStatus.PENDING, MediaStatus.READY])
    await unused.filter(owner_id=owner_id).using_db(connection).update(owner_id=redeemer_id)
    handed = await unused.filter(owner_id=redeemer_id).using_db(connection).values_list("id", flat=True)
    return sorted(str(media_id) for media_id in handed)


async def _check_media(owner_id: uuid.UUID, media_ids: list[str]) -> None:
    """The Zalo side may only hand over its own uploads that are not yet evidence of a report nor refused."""
    if not media_ids:
        return
    usable = await Media.filter(
        id__in=media_ids, owner_id=owner_id, report_id=None, status__in=[MediaStatus.PENDING, MediaStatus.READY]
    ).count()
    if usable != len(media_ids):
        raise InvalidInput("Some media ids are not ids of your unused uploads.", field="draft.mediaIds")
