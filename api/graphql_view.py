"""The Strawberry ASGI view: builds the per-request ``Context`` and authenticates HTTP and WebSocket callers."""

from __future__ import annotations

import logging
import uuid

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError

from schema.context import Context, Services
from services.errors import Unauthenticated

logger = logging.getLogger(__name__)


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, schema: object, *, services: Services, allowed_origins: list[str]) -> None:
        super().__init__(
            schema,  # type: ignore[arg-type]
            graphql_ide="graphiql",
            multipart_uploads_enabled=True,  # CSRF is handled by api.guards.UploadGuard
            allowed_origins=tuple(allowed_origins),
        )
        self._services = services

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        context = Context(
            services=self._services,
            request_id=request.headers.get("x-request-id") or uuid.uuid4().hex[:16],
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
            context.client_id = await self._services.clients.authenticate(authorization)
        except Unauthenticated as exc:
            context.auth_error = exc
