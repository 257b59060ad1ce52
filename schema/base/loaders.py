"""The per-request bag of dataloaders. A fresh one is built for every request, never shared between users."""

from __future__ import annotations

from schema.agencies.loaders import AgencyByIdLoader, AgencyLoaders
from schema.media.loaders import MediaByIdLoader
from schema.reports.loaders import ReportLoaders


class Loaders:
    def __init__(self) -> None:
        self.agency_by_id = AgencyByIdLoader()
        self.agencies = AgencyLoaders()
        self.media_by_id = MediaByIdLoader()
        self.reports = ReportLoaders()
