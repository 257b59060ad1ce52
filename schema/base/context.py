"""The typed context of one GraphQL request or websocket connection."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from auth.principal import Principal
from auth.providers import Providers
from auth.tokens import TokenCodec
from core.settings import Settings
from schema.base.loaders import Loaders
from services.events import EventBus
from services.media.rules import MediaRules
from services.media.storage import Storage


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    settings: Settings
    tokens: TokenCodec
    storage: Storage
    media_rules: MediaRules
    events: EventBus
    principal: Principal | None = None
    connection_params: dict[str, object] | None = None
    loaders: Loaders = field(default_factory=Loaders)
    providers: Providers = field(kw_only=True)
