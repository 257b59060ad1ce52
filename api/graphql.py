"""The GraphQL endpoint: strawberry's ASGI view with our context, and websocket authentication."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.http.parse_content_type import parse_content_type
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult, SubscriptionExecutionResult
from strawberry.types.unset import UNSET

from api import http_cache
from api.authentication import principal_of
from api.cors import OriginPolicy
from api.errors import decode_json_body, refused_request
from api.live_groups import LiveGroups
from api.operations import Operation, operation_of
from api.persisted import PersistedOperations, PersistedQueryError
from api.routes.graphiql import graphiql_html
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
from services.exports.tickets import ExportRules
from services.handoff.links import HandoffRules
from services.hotspots.cells import HotspotRules

GRAPHQL_RESPONSE_TYPE = "application/graphql-response+json; charset=utf-8"


def _accepts_graphql_response(request: Request) -> bool:
    return "application/graphql-response+json" in request.headers.get("accept", "")


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
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=10),
            multipart_uploads_enabled=True,
            max_subscriptions_per_connection=settings.ws_max_subscriptions,
        )
        self.settings = settings
        self.origins = OriginPolicy.of(settings)
        self.tokens = tokens
        self.providers = providers(settings)
        self.media_rules = media_rules(settings)
        self.sign_in_rules = sign_in_rules(settings)
        self.handoff_rules = HandoffRules(settings.city_app_handoff_url, settings.handoff_ttl_seconds)
        self.report_max_age_days = settings.report_max_age_days
        self.live = LiveGroups(
            schema,
            self.encode_json_string,
            send_queue=settings.ws_send_queue,
            operation_of=self.operation_of,
        )
        self.report_limit_per_hour = settings.report_limit_per_hour
        self.hotspot_rules = HotspotRules(settings.hotspot_min_count, settings.hotspot_max_cells)
        self.export_rules = ExportRules(settings.export_max_rows, settings.export_limit_per_hour)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """Answers what the view refuses before executing as JSON (`api.errors`), never strawberry's plain text; and
        closes the request's uploaded files afterwards: a resolver refused by its permission never reads (or closes)
        the `Upload` it was given, and its temporary file would leak. Every JSON answer then follows GraphQL over
        HTTP (`answer`)."""
        try:
            response = await super().run(request, context, root_value)
        except HTTPException as refusal:
            response = refused_request(refusal)
        except PersistedQueryError as refusal:
            response = JSONResponse(
                {"errors": [{"message": refusal.message, "extensions": {"code": refusal.code}}]},
                status_code=refusal.status,
            )
        finally:
            if isinstance(request, Request):
                await request.close()
        if isinstance(request, Request) and isinstance(response, Response):
            return self.answer(request, response)
        return response

    def answer(self, request: Request, response: Response) -> Response:
        """The media type the client asked for (`application/graphql-response+json`, whose request errors are 4xx),
        and the caching the operation earns (`api.http_cache`)."""
        if not response.headers.get("content-type", "").startswith("application/json"):
            return response  # GraphiQL's page
        if _accepts_graphql_response(request):
            response.headers["content-type"] = GRAPHQL_RESPONSE_TYPE
            status = getattr(request.state, "graphql_status", None)
            if status is not None:
                response.status_code = status
        operation = getattr(request.state, "graphql_operation", None)
        ok = response.status_code == 200 and not getattr(request.state, "graphql_errors", True)
        return http_cache.apply(request, response, http_cache.cache_control(request, operation, ok, self.settings))

    def operation_of(self, query: str, operation_name: str | None) -> Operation | None:
        """The operation a document selects, within this server's parse limits (`api.operations`)."""
        return operation_of(
            query, operation_name, self.settings.graphql_max_query_length, self.settings.graphql_max_tokens
        )

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        """Not for a persisted query sent by GET, which has `extensions` and no `query`."""
        return "extensions" not in request.query_params and super().should_render_graphql_ide(request)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_html(self.settings))

    def is_websocket_origin_allowed(self, request: WebSocket, origin: str) -> bool:
        """The websocket admits the pages CORS admits (`api.cors`): one setting for both."""
        return self.origins.allows(origin)

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData | list[GraphQLRequestData]:
        """A POST is JSON, or multipart for uploads; anything else is 415 (GraphQL over HTTP)."""
        if request.method == "POST":
            content_type, _ = parse_content_type(request.content_type or "")
            if content_type not in ("application/json", "multipart/form-data"):
                raise HTTPException(
                    415, "Send GraphQL requests with Content-Type: application/json (multipart/form-data for uploads)."
                )
        return await super().parse_http_body(request)

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> ExecutionResult | list[ExecutionResult] | SubscriptionExecutionResult:
        """Resolves a persisted operation's text (`api.persisted`), and refuses a GET of anything but a query with
        405 before executing: a GET must never change anything."""
        if isinstance(request_data, GraphQLRequestData):
            if not isinstance(request_data.operation_name, str | None):
                raise HTTPException(400, "The GraphQL operation's `operationName` must be a string or null.")
            persisted: PersistedOperations = request.app.state.persisted
            request_data.query = await persisted.resolve(request_data.query, request_data.extensions)
            operation = None
            if request_data.query is not None:
                operation = self.operation_of(request_data.query, request_data.operation_name)
            request.state.graphql_operation = operation
            if request.method == "GET" and operation is not None and operation.kind != "query":
                raise HTTPException(405, f"A {operation.kind} is sent with POST; GET runs only queries.")
        return await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        """A request error (the document does not parse or validate, a variable does not coerce: no field ran, so
        there is no `data`) is answered 4xx without `data` to a client that accepts
        `application/graphql-response+json`; `application/json` clients keep 200 and `data: null`."""
        body = await super().process_result(request, result)
        request.state.graphql_errors = bool(result.errors)
        if result.errors and result.data is None and all(error.path is None for error in result.errors):
            codes = {(error.extensions or {}).get("code") for error in result.errors}
            request.state.graphql_status = 504 if "TIMEOUT" in codes else 503 if "UNAVAILABLE" in codes else 400
            if _accepts_graphql_response(request):
                body.pop("data", None)
        return body

    def decode_json(self, data: str | bytes) -> object:
        return decode_json_body(data)

    def encode_json(self, data: object) -> str:
        """orjson: a page's JSON in a fraction of the standard library's time (bench/reports.py). Text, not bytes:
        strawberry sends bytes on a websocket as binary frames, which graphql-transport-ws clients refuse."""
        return orjson.dumps(data).decode()

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        principal = principal_of(request) if isinstance(request, Request) else None
        return Context(
            request=request,
            response=response,
            tokens=self.tokens,
            storage=request.app.state.storage,
            events=request.app.state.events,
            evidence_signer=request.app.state.evidence_signer,
            downloads=request.app.state.downloads,
            providers=self.providers,
            media_rules=self.media_rules,
            sign_in_rules=self.sign_in_rules,
            handoff_rules=self.handoff_rules,
            report_max_age_days=self.report_max_age_days,
            report_limit_per_hour=self.report_limit_per_hour,
            hotspot_rules=self.hotspot_rules,
            export_rules=self.export_rules,
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
