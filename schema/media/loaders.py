"""Media by id, scoped to the caller in the key, batched into one query per request."""

from __future__ import annotations

import uuid

from strawberry.dataloader import DataLoader

from auth.principal import Principal
from models.media import Media
from services.media import access as media_access


class MediaByIdLoader(DataLoader[tuple[Principal | None, uuid.UUID], Media | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=media_access.media_by_ids)
