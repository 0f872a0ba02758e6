"""Requests per minute per client, at the edge: HTTP requests and WebSocket subscribes share one budget."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from websockets.asyncio.client import connect

from api.settings import Settings
from tests.graphql_client import auth, error_codes, new_token, ws_session, ws_url

TRACKS = {"query": "{ tracks { edges { node { id } } } }"}
EVENTS = "subscription($id: ID!) { trackEvents(trackId: $id) { status } }"


async def _subscribe_codes(ws: Any, operation_id: str) -> list[str]:
    """Subscribe to a track that does not exist; the error codes the operation ends with."""
    variables = {"id": "VHJhY2s6OTk5OTk="}
    frame = {"id": operation_id, "type": "subscribe", "payload": {"query": EVENTS, "variables": variables}}
    await ws.send(json.dumps(frame))
    while True:
        message = json.loads(await ws.recv())
        if message.get("id") != operation_id:
            continue
        if message["type"] == "error":
            return [error["extensions"]["code"] for error in message["payload"]]
        if message["type"] == "next" and message["payload"].get("errors"):
            return error_codes(message["payload"])


async def test_request_limit_refuses_http_with_429_and_retry_after(
    settings: Settings, live_server: Callable[[Settings], Any]
) -> None:
    server = live_server(settings.model_copy(update={"requests_per_minute": 3}))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token, other = await new_token(http), await new_token(http)  # createClient carries no token: not counted
        statuses = [(await http.post("/graphql", json=TRACKS, headers=auth(token))).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        refused = await http.post("/graphql", json=TRACKS, headers=auth(token))
        assert refused.status_code == 429
        error = refused.json()["errors"][0]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert 1 <= error["extensions"]["retryAfterS"] <= 120
        assert refused.headers["retry-after"] == str(error["extensions"]["retryAfterS"])
        assert "the limit is 3 per minute" in error["message"]
        assert (await http.post("/graphql", json=TRACKS, headers=auth(other))).status_code == 200


async def test_request_limit_counts_websocket_subscribes_with_http(
    settings: Settings, live_server: Callable[[Settings], Any]
) -> None:
    server = live_server(settings.model_copy(update={"requests_per_minute": 3}))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
        assert (await http.post("/graphql", json=TRACKS, headers=auth(token))).status_code == 200
        async with ws_session(server.url, token=token) as ws:
            assert await _subscribe_codes(ws, "1") == ["NOT_FOUND"]  # answered by the schema: counted, allowed
            assert await _subscribe_codes(ws, "2") == ["NOT_FOUND"]
            assert await _subscribe_codes(ws, "3") == ["RATE_LIMITED"]  # refused at the edge, socket stays open
            assert await _subscribe_codes(ws, "4") == ["RATE_LIMITED"]
        assert (await http.post("/graphql", json=TRACKS, headers=auth(token))).status_code == 429


async def test_request_limit_counts_legacy_graphql_ws_starts(
    settings: Settings, live_server: Callable[[Settings], Any]
) -> None:
    server = live_server(settings.model_copy(update={"requests_per_minute": 1}))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
    async with connect(ws_url(server.url), subprotocols=["graphql-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        payload = {"query": EVENTS, "variables": {"id": "VHJhY2s6OTk5OTk="}}
        for operation_id in ("1", "2"):
            await ws.send(json.dumps({"id": operation_id, "type": "start", "payload": payload}))
        refused = None
        while refused is None:
            message = json.loads(await ws.recv())
            if message.get("id") == "2":
                refused = message
    assert refused["type"] == "error" and refused["payload"]["extensions"]["code"] == "RATE_LIMITED"
