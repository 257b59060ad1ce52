"""The typed context of one GraphQL request or websocket connection, and the bag of dataloaders it carries.

Above the domains: it gathers each domain's loaders; resolvers receive it through `schema.base.info.Info` without
importing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from auth.principal import Principal
from auth.providers import Providers
from auth.tokens import TokenCodec
from schema.agencies.loaders import AgencyByIdLoader, AgencyLoaders
from schema.custody.loaders import ReceivedEntryByReportLoader
from schema.intake.loaders import IntakeLoaders
from schema.media.loaders import MediaByIdLoader
from schema.reports.loaders import ReportLoaders
from services.accounts.rules import SignInRules
from services.custody.signing import EvidenceSigner
from services.downloads import DownloadSigner
from services.events.base import EventBus
from services.exports.tickets import ExportRules
from services.handoff.links import HandoffRules
from services.hotspots.cells import HotspotRules
from services.media.rules import MediaRules
from services.media.storage import Storage


class Loaders:
    """A fresh one is built for every request, never shared between users."""

    def __init__(self) -> None:
        self.agency_by_id = AgencyByIdLoader()
        self.agencies = AgencyLoaders()
        self.received_entry_by_report = ReceivedEntryByReportLoader()
        self.media_by_id = MediaByIdLoader()
        self.reports = ReportLoaders()
        self.intake = IntakeLoaders()


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    tokens: TokenCodec
    storage: Storage
    events: EventBus
    evidence_signer: EvidenceSigner
    downloads: DownloadSigner
    providers: Providers
    media_rules: MediaRules
    sign_in_rules: SignInRules
    handoff_rules: HandoffRules
    report_max_age_days: int
    report_limit_per_hour: int
    hotspot_rules: HotspotRules
    export_rules: ExportRules
    principal: Principal | None = None
    connection_params: dict[str, object] | None = None
    # Built on first use: a live console's socket keeps its context for hours and, its subscriptions running in a
    # shared group (`api.live_groups`), may never use its own loaders (about 5 KiB each).
    _loaders: Loaders | None = field(default=None, repr=False)

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = Loaders()
        return self._loaders

    def fresh_loaders(self) -> None:
        """Forget what the loaders cached: a connection's context lives as long as its socket, and each pushed event
        must be read as it is now."""
        self._loaders = None
