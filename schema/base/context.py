"""The typed context of one GraphQL request or websocket connection."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from auth.principal import Principal
from auth.providers import Providers
from auth.tokens import TokenCodec
from schema.base.loaders import Loaders
from services.accounts.rules import SignInRules
from services.events.base import EventBus
from services.handoff.links import HandoffRules
from services.media.rules import MediaRules
from services.media.storage import Storage


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    tokens: TokenCodec
    storage: Storage
    events: EventBus
    providers: Providers
    media_rules: MediaRules
    sign_in_rules: SignInRules
    handoff_rules: HandoffRules
    report_max_age_days: int
    principal: Principal | None = None
    connection_params: dict[str, object] | None = None
    loaders: Loaders = field(default_factory=Loaders)
