from __future__ import annotations

import uuid

from strawberry.dataloader import DataLoader

from models.agencies import Agency
from services import reference


class AgencyByIdLoader(DataLoader[uuid.UUID, Agency | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=reference.agencies_by_ids)
