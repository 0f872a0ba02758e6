"""Requests per minute per client, counted at the edge before any GraphQL work: every HTTP request to
``/graphql`` that carries a bearer token, and every WebSocket ``subscribe`` (or legacy ``start``) operation.

The key is the SHA-256 of the token (each client has exactly one), so counting needs no database lookup; a
made-up token is counted under its own key, and the limiter's key table is bounded. The state is rate-limit
state, not data: in this process, or in Redis when ``MIXCOACH_REDIS_URL`` is set (``services.runtime.limits``), so
the limit holds across every web instance.

A refused HTTP request gets status 429, a ``Retry-After`` header and a GraphQL-shaped body with code
``RATE_LIMITED`` and ``extensions.retryAfterS``. A refused subscribe gets an ``error`` message for that
operation id; the socket stays open.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.clients.identities import hash_token
from services.errors import RateLimited
from services.runtime.limits import RateLimiter

_SUBSCRIBE_TYPES = ("subscribe", "start")  # graphql-transport-ws, legacy graphql-ws


def client_key(authorization: object) -> str | None:
    """The limiter key for an ``Authorization`` value, or ``None`` when it carries no bearer token."""
    if not isinstance(authorization, str):
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return hash_token(token.strip())


def _graphql_error(exc: RateLimited) -> dict[str, Any]:
    return {"message": exc.message, "extensions": {"code": exc.code, "retryAfterS": exc.retry_after_s}}


class RequestLimit:
    """ASGI middleware in front of the GraphQL view (HTTP route and WebSocket route alike)."""

    def __init__(self, app: ASGIApp, *, limiter: RateLimiter) -> None:
        self.app = app
        self._limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self.app(scope, self._counting(receive, send), send)
            return
        if scope["type"] == "http":
            key = client_key(Headers(scope=scope).get("authorization"))
            try:
                if key is not None:
                    await self._limiter.hit(key)
            except RateLimited as exc:
                retry = str(int(exc.retry_after_s or 1))
                body = {"data": None, "errors": [_graphql_error(exc)]}
                await JSONResponse(body, 429, headers={"Retry-After": retry})(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _counting(self, receive: Receive, send: Send) -> Receive:
        """``receive`` that learns the token from ``connection_init`` and counts each subscribe frame."""
        key: str | None = None

        async def counted() -> Message:
            nonlocal key
            while True:
                message = await receive()
                frame = _frame(message)
                if frame is None:
                    return message
                if frame.get("type") == "connection_init":
                    payload = frame.get("payload")
                    key = client_key(payload.get("authorization") if isinstance(payload, dict) else None)
                elif frame.get("type") in _SUBSCRIBE_TYPES and key is not None:
                    try:
                        await self._limiter.hit(key)
                    except RateLimited as exc:
                        await send({"type": "websocket.send", "text": json.dumps(_ws_error(frame, exc))})
                        continue  # the app never sees the refused operation
                return message

        return counted


def _frame(message: Message) -> dict[str, Any] | None:
    """A client text frame that may matter here, parsed; everything else passes through untouched."""
    text = message.get("text") if message["type"] == "websocket.receive" else None
    if not text or not any(word in text for word in ("connection_init", *_SUBSCRIBE_TYPES)):
        return None
    try:
        frame = json.loads(text)
    except ValueError:
        return None  # the GraphQL protocol handler answers malformed frames itself
    return frame if isinstance(frame, dict) else None


def _ws_error(frame: dict[str, Any], exc: RateLimited) -> dict[str, Any]:
    error = _graphql_error(exc)
    payload = [error] if frame.get("type") == "subscribe" else error  # the legacy protocol sends one object
    return {"type": "error", "id": frame.get("id"), "payload": payload}
