"""The GraphQL endpoint: strawberry's ASGI view with our context, and websocket authentication."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET

from api.authentication import principal_of
from api.errors import decode_json_body, refused_request
from api.signin import providers, sign_in_rules
from api.storage import media_rules
from api.ws_auth import AccountCheckedHandler
from api.ws_expiry import close_when_expired
from auth.authentication import authenticate_header
from auth.tokens import TokenCodec
from core.errors import Unauthenticated
from core.settings import Settings
from schema import Schema
from schema.base.limits import Budgets, QueryLimits
from schema.context import Context
from services.handoff.links import HandoffRules


def query_limits(settings: Settings) -> QueryLimits:
    """What one operation may ask (`schema.base.limits`); the server's schema is built with these."""
    return QueryLimits(
        max_query_length=settings.graphql_max_query_length,
        max_tokens=settings.graphql_max_tokens,
        max_fields=settings.graphql_max_fields,
        max_aliases=settings.graphql_max_aliases,
        max_depth=settings.graphql_max_depth,
        budgets=Budgets(
            anonymous=settings.graphql_cost_anonymous,
            citizen=settings.graphql_cost_citizen,
            staff=settings.graphql_cost_staff,
        ),
        timeout_seconds=settings.request_timeout_seconds,
        introspection=settings.graphql_introspection,
    )


class GraphQLApp(GraphQL[Context, None]):
    # Every operation on a socket is authenticated again, and a deactivated account's sockets close (api.ws_auth).
    graphql_transport_ws_handler_class = AccountCheckedHandler

    def __init__(self, schema: Schema, settings: Settings, tokens: TokenCodec) -> None:
        super().__init__(
            schema,
            graphql_ide=None if settings.is_production else "graphiql",
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=10),
            multipart_uploads_enabled=True,
            max_subscriptions_per_connection=settings.ws_max_subscriptions,
            allowed_origins=settings.ws_allowed_origins,
        )
        self.tokens = tokens
        self.providers = providers(settings)
        self.media_rules = media_rules(settings)
        self.sign_in_rules = sign_in_rules(settings)
        self.handoff_rules = HandoffRules(settings.city_app_handoff_url, settings.handoff_ttl_seconds)
        self.report_max_age_days = settings.report_max_age_days
        self.report_limit_per_hour = settings.report_limit_per_hour

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """Answers what the view refuses before executing as JSON (`api.errors`), never strawberry's plain text; and
        closes the request's uploaded files afterwards: a resolver refused by its permission never reads (or closes)
        the `Upload` it was given, and its temporary file would leak."""
        try:
            return await super().run(request, context, root_value)
        except HTTPException as refusal:
            return refused_request(refusal)
        finally:
            if isinstance(request, Request):
                await request.close()

    def decode_json(self, data: str | bytes) -> object:
        return decode_json_body(data)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        principal = principal_of(request) if isinstance(request, Request) else None
        return Context(
            request=request,
            response=response,
            tokens=self.tokens,
            storage=request.app.state.storage,
            events=request.app.state.events,
            providers=self.providers,
            media_rules=self.media_rules,
            sign_in_rules=self.sign_in_rules,
            handoff_rules=self.handoff_rules,
            report_max_age_days=self.report_max_age_days,
            report_limit_per_hour=self.report_limit_per_hour,
            principal=principal,
        )

    async def on_ws_connect(self, context: Context) -> dict[str, object]:
        """A websocket signs in with the token in its `connection_init` payload (none, no socket); every operation it
        starts later is authenticated again with that token (`api.ws_auth`)."""
        params = context.connection_params or {}
        authorization = params.get("authorization")
        try:
            principal = await authenticate_header(
                self.tokens, authorization if isinstance(authorization, str) else None
            )
        except Unauthenticated:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"}) from None
        if principal is None:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        context.principal = principal
        if isinstance(context.request, WebSocket) and isinstance(authorization, str):
            close_when_expired(context.request, authorization)
        return {"role": principal.role.value}
