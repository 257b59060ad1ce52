"""A link to a file the API produces (`services.downloads`), as every field and mutation that offers one returns it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import strawberry

from schema.base.info import Info
from schema.base.permissions import require_principal


@strawberry.type(
    name="Download",
    description="A short-lived link to a file produced for the caller: GET it (no token needed) before `expiresAt`.",
)
class DownloadType:
    url: str = strawberry.field(description="Signed URL; it names the caller and works only for them until it expires.")
    expires_at: datetime = strawberry.field(description="After this instant the URL answers 403.")


def download_link(info: Info, kind: str, params: Mapping[str, str]) -> DownloadType:
    """The caller's link to the `kind` producer with `params`; the producer checks, at download time, that the
    caller may still have it."""
    link = info.context.downloads.issue(kind, params, require_principal(info).user_id)
    return DownloadType(url=link.url, expires_at=link.expires_at)
