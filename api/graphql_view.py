"""The Strawberry ASGI view: builds the per-request ``Context``, authenticates HTTP and WebSocket callers, and makes
every transport-level refusal a typed GraphQL error (Strawberry answers those in plain text)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from starlette.websockets import WebSocketDisconnected as SendAfterClose
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLRequestData
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from schema.context import Context, Services
from services.errors import Unauthenticated

logger = logging.getLogger(__name__)

MAX_SUBSCRIPTIONS_PER_CONNECTION = 100
# Operations executing at once over HTTP; later ones wait, before any execution state exists, for a free slot.
# Past a few, concurrency buys nothing on two cores (SQLite serialises every query on one connection), and each
# operation in flight holds its executor, context and fields alive: at c=100 the young GC generation held ~20,000 of
# them and every collection walked them all (``api.gc_tuning``). Uploads are received before they take a slot. The
# PostgreSQL pool holds as many connections (``services.store.database.POSTGRES_POOL_SIZE``).
OPERATIONS_IN_FLIGHT = 16
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_STATUS_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}
# The spellings of a plain JSON body the direct path takes (``_direct``); any other goes through Strawberry's parsing.
_PLAIN_JSON = frozenset({"application/json", "application/json; charset=utf-8", "application/json;charset=utf-8"})


_NOT_AN_OPERATION = 'The request body must be a JSON object such as {"query": "{ __typename }"}.'


def _accept_only(request: Request) -> dict[str, str]:
    """The headers Strawberry's stream-transport check reads (the first ``accept``), without decoding every other
    header as it would for ``request.headers.items()``. ASGI header names are lower-case."""
    accept = request.headers.get("accept")
    return {} if accept is None else {"accept": accept}


def request_id_from(header: str | None) -> str:
    """The caller's ``X-Request-Id`` when it is short and plain, else a fresh one: it is echoed and logged."""
    if header is not None and _REQUEST_ID.fullmatch(header):
        return header
    return os.urandom(8).hex()  # 16 hex digits, ``secrets.token_hex(8)`` without its three wrappers


def error_response(status: int, message: str, *, code: str | None = None) -> JSONResponse:
    """A refusal in the shape every GraphQL client already reads."""
    code = code or _STATUS_CODES.get(status, "BAD_USER_INPUT")
    return JSONResponse({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}, status)


class _TransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, with a code on the one error Strawberry sends without one, and a client that leaves
    while its subscriptions still send treated as what it is: the client leaving, not a server error."""

    async def handle_task_exception(self, error: Exception) -> None:
        # Strawberry turns a send on a dropped socket into its own error, but a send after the close frame went out
        # (the server ended the connection while an operation was finishing) raises Starlette's.
        if isinstance(error, WebSocketDisconnected | SendAfterClose):
            logger.debug("client left with operations running")
            return
        await super().handle_task_exception(error)

    async def send_message(self, message: Message) -> None:
        if message.get("type") == "error":
            for error in message.get("payload") or []:  # type: ignore[attr-defined]
                if error.get("message") == "Subscription limit reached":
                    error["message"] = (
                        f"At most {MAX_SUBSCRIPTIONS_PER_CONNECTION} operations may run on one connection; "
                        "complete some first."
                    )
                    error["extensions"] = {"code": "QUOTA_EXCEEDED"}
        await super().send_message(message)


class GraphQLView(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = _TransportWS

    def __init__(self, schema: object, *, services: Services, allowed_origins: list[str]) -> None:
        super().__init__(
            schema,  # type: ignore[arg-type]
            graphql_ide="graphiql",
            multipart_uploads_enabled=True,  # CSRF is handled by api.guards.UploadGuard
            allowed_origins=tuple(allowed_origins),
            max_subscriptions_per_connection=MAX_SUBSCRIPTIONS_PER_CONNECTION,
        )
        self._services = services
        # Without @defer/@stream every operation over POST ends in one ExecutionResult: what ``_direct`` answers.
        self._direct_ok = not self.schema.config.enable_experimental_incremental_execution
        self._admission = asyncio.Semaphore(OPERATIONS_IN_FLIGHT)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self._direct(request) or await self.run(request)
        except HTTPException as exc:
            response = error_response(exc.status_code, exc.reason)
        except StarletteHTTPException as exc:  # e.g. a multipart body Starlette cannot parse
            response = error_response(exc.status_code, f"The request body could not be read: {exc.detail}")
        finally:
            await request.close()  # closes every uploaded file part, mapped to a variable or not
        await response(scope, receive, send)

    async def _direct(self, request: Request) -> Response | None:
        """A POST of one operation as plain JSON (what every client sends), answered as ``run`` answers it, or
        ``None`` for anything else, which ``run`` then handles (the body stays cached on ``request``).

        Why: ``run`` spends a tenth of a session read around the execution, on steps that cannot apply here: a
        MIME parser for the content type, protocol checks on the result, a sub-response no resolver can reach
        (``get_context`` does not hand it to the context), and the answer encoded to text and back to bytes.
        The steps that apply run through the same hooks and answer the same: the body (same 400 for malformed JSON),
        the context (authentication), the execution, ``process_result``. The body is read before the context is
        built (``run`` builds it first) so that a request handed on to ``run`` is not authenticated twice."""
        if (
            not self._direct_ok
            or request.method != "POST"
            or request.headers.get("content-type", "").lower() not in _PLAIN_JSON
            or self._get_stream_transport_from_headers(_accept_only(request)) is not None
        ):
            return None
        data = self.parse_json(await request.body())
        if type(data) is list:
            return None  # a batch: ``run`` refuses it in its own words
        if type(data) is not dict:
            raise HTTPException(400, _NOT_AN_OPERATION)
        query, variables, extensions = data.get("query"), data.get("variables"), data.get("extensions")
        if type(query) is not str or not (variables is None or type(variables) is dict):
            return None
        if not (extensions is None or type(extensions) is dict):
            return None
        request_data = GraphQLRequestData(
            query=query,
            variables=variables,
            operation_name=data.get("operationName"),
            extensions=extensions,
            protocol="http",
        )
        result = await self._execute(request_data, context=await self._context(request), get=False)
        response_data = await self.process_result(request, result)
        if result.errors:
            self._handle_errors(result.errors, response_data)
        return Response(self.encode_json_bytes(response_data), media_type="application/json")

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Strawberry's, minus subscriptions over plain HTTP: they run over the WebSocket, and run as a query here
        they failed as INTERNAL ("Cannot return null")."""
        return await self._execute(request_data, context=context, get=request_adapter.method == "GET")

    async def _execute(self, request_data: GraphQLRequestData, *, context: Context, get: bool) -> ExecutionResult:
        allowed = {OperationType.QUERY} if get else {OperationType.QUERY, OperationType.MUTATION}
        try:
            async with self._admission:
                return await self.schema.execute(
                    request_data.query,
                    root_value=None,
                    variable_values=request_data.variables,
                    context_value=context,
                    operation_name=request_data.operation_name,
                    allowed_operation_types=allowed,
                    operation_extensions=request_data.extensions,
                )
        except CannotGetOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason()) from exc
        except InvalidOperationTypeError as exc:
            if exc.operation_type is OperationType.SUBSCRIPTION:
                reason = "Subscriptions run over the WebSocket at /graphql (graphql-transport-ws), not over HTTP."
            else:
                reason = "Mutations must be sent with POST, not GET."
            raise HTTPException(400, reason) from exc
        except MissingQueryError as exc:
            raise HTTPException(400, "No GraphQL query found in the request.") from exc

    def encode_json(self, data: object) -> str:
        """orjson: a session read's answer took several times longer to encode with ``json``. Text, as before, so
        WebSocket messages stay text frames. What orjson refuses (an int past 64 bits) goes through ``json``."""
        try:
            return orjson.dumps(data).decode()
        except TypeError:  # orjson.JSONEncodeError is one
            return json.dumps(data, separators=(",", ":"))

    def encode_json_bytes(self, data: object) -> bytes:
        """``encode_json``'s answer as the bytes that go on the wire, without the round trip through ``str``."""
        try:
            return orjson.dumps(data)
        except TypeError:
            return json.dumps(data, separators=(",", ":")).encode()

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData | list[GraphQLRequestData]:
        """A JSON body that is neither an operation nor a batch (a string, a number, ``null``) is refused in words:
        Strawberry's parser assumes an object and fails with an internal error on it."""
        if request.method == "POST" and "application/json" in (request.content_type or "").lower():
            if not isinstance(self.parse_json(await request.get_body()), dict | list):
                raise HTTPException(400, _NOT_AN_OPERATION)
        return await super().parse_http_body(request)

    def decode_json(self, data: str | bytes) -> object:
        """JSON nested past the parser's recursion limit is malformed input, not a crash."""
        try:
            return json.loads(data)
        except RecursionError as exc:
            text = data if isinstance(data, str) else data.decode("utf-8", "replace")
            raise json.JSONDecodeError("The JSON is nested too deeply.", text[:64], 0) from exc

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        """The context never carries ``response``: resolvers set no headers or status (``_direct`` relies on it)."""
        return await self._context(request)

    async def _context(self, request: Request | WebSocket) -> Context:
        context = Context(
            services=self._services,
            request_id=request_id_from(request.headers.get("x-request-id")),
            client_address=request.client.host if request.client else "unknown",
        )
        if isinstance(request, Request):
            await self._authenticate(context, request.headers.get("authorization"))
        return context

    async def on_ws_connect(self, context: Context) -> None:
        """The token travels in the ``connection_init`` payload: ``{"authorization": "Bearer <token>"}``."""
        value = context.connection_params.get("authorization") or context.connection_params.get("Authorization")
        await self._authenticate(context, value if isinstance(value, str) else None)
        if context.client_id is None:
            reason = context.auth_error.message if context.auth_error else "Authentication required."
            raise ConnectionRejectionError({"message": reason})

    async def _authenticate(self, context: Context, authorization: str | None) -> None:
        if authorization is None:
            return
        try:
            context.client_id = await self._services.clients.authenticate(authorization[:512])
        except Unauthenticated as exc:
            context.auth_error = exc
