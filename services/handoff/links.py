"""Handing a report draft from the Zalo mini-app to the city app by a short-lived, single-use link and its QR code.

The link carries only an opaque random token (256 bits from `secrets`), never the draft or who wrote it; the table
keeps the token's SHA-256, so a leaked table opens no link. Unguessability is what makes it "signed": a forged token
simply matches no row. Redeeming is a conditional update on `redeemed_at IS NULL`, so a link works exactly once
however many devices race for it, and in the same transaction the redeeming citizen's account is joined to the
Zalo account that made the link (services.accounts.joining): both sides proved who they are by being signed in.

Refusals, each distinct: an unknown token is NOT_FOUND (reason `unknown`); a used one CONFLICT (`already_redeemed`);
an expired one CONFLICT (`expired`).
"""

from __future__ import annotations

import hashlib
import io
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import segno
from tortoise.transactions import in_transaction

from auth.principal import Principal
from core import clock
from core.errors import Conflict, Forbidden, InvalidInput, NotFound, RateLimited
from models.enums import IdentityProvider, MediaStatus
from models.handoff import Handoff
from models.media import Media
from models.users import Identity, User
from services.accounts.joining import join_accounts
from services.common import policies
from services.handoff.drafts import DraftInput, clean_draft

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


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def handoff_url(rules: HandoffRules, token: str) -> str:
    base = rules.city_app_url
    return f"{base}{'&' if '?' in base else '?'}{urlencode({'token': token})}"


def qr_code_svg(url: str) -> str:
    """A standalone SVG (with its namespace, without an XML declaration) that works inline and as an <img>."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=4, xmldecl=False)
    return out.getvalue().decode()


async def create_handoff(
    rules: HandoffRules, principal: Principal, draft: DraftInput, now: datetime | None = None
) -> IssuedHandoff:
    """Zalo citizens only: the account must be known through a Zalo identity, the side that proves itself here."""
    if not policies.is_citizen(principal) or not await Identity.exists(
        user_id=principal.user_id, provider=IdentityProvider.ZALO
    ):
        raise Forbidden("Handoffs start in the Zalo mini-app: sign in with Zalo first.", reason="not_zalo")
    now = now or clock.now()
    await _check_rate(principal.user_id, now)
    clean = await clean_draft(draft, now=now)
    await _check_media(principal.user_id, clean.get("mediaIds", []))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = now + timedelta(seconds=rules.ttl_seconds)
    await Handoff.create(creator_id=principal.user_id, draft=clean, token_hash=token_hash(token), expires_at=expires_at)
    url = handoff_url(rules, token)
    return IssuedHandoff(url=url, qr_code_svg=qr_code_svg(url), expires_at=expires_at)


async def redeem_handoff(principal: Principal, token: str, now: datetime | None = None) -> dict[str, Any]:
    """Return the draft once, and make the redeeming citizen and the link's creator one account (the creator's)."""
    policies.require(policies.is_citizen(principal), "Only citizens redeem handoff links.")
    now = now or clock.now()
    handoff = await Handoff.get_or_none(token_hash=token_hash(token.strip()))
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
        keep_id: uuid.UUID = creator.merged_into_id or creator.id
        if keep_id != principal.user_id:
            await join_accounts(connection, keep_id, principal.user_id)
    draft: dict[str, Any] = handoff.draft
    return draft


async def _check_rate(creator_id: uuid.UUID, now: datetime) -> None:
    """A person makes a few links an hour; more is a script filling the table."""
    since = now - timedelta(hours=1)
    recent = (
        await Handoff.filter(creator_id=creator_id, created_at__gt=since)
        .order_by("-created_at")
        .limit(HANDOFFS_PER_HOUR)
        .values_list("created_at", flat=True)
    )
    if len(recent) >= HANDOFFS_PER_HOUR:
        oldest: datetime = recent[-1]  # type: ignore[assignment]
        wait = max(1, int((oldest - since).total_seconds()))
        raise RateLimited(f"At most {HANDOFFS_PER_HOUR} links an hour; try again later.", retry_after_seconds=wait)


async def _check_media(owner_id: uuid.UUID, media_ids: list[str]) -> None:
    """The Zalo side may only hand over its own uploads that are not yet evidence of a report nor refused."""
    if not media_ids:
        return
    usable = await Media.filter(
        id__in=media_ids, owner_id=owner_id, report_id=None, status__in=[MediaStatus.PENDING, MediaStatus.READY]
    ).count()
    if usable != len(media_ids):
        raise InvalidInput("Some media ids are not ids of your unused uploads.", field="draft.mediaIds")
