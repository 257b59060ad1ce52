"""The RECEIVED entry of each report (what its receipt is made of), batched into one query per request."""

from __future__ import annotations

import uuid

from strawberry.dataloader import DataLoader

from models.custody import CustodyEntry
from services.custody import receipts


class ReceivedEntryByReportLoader(DataLoader[uuid.UUID, CustodyEntry | None]):
    """Keyed by report id alone: `Report.receipt` checks who may see it before loading."""

    def __init__(self) -> None:
        super().__init__(load_fn=receipts.received_entries)
