"""Small GraphQL client functions for tests: JSON queries, multipart uploads and graphql-transport-ws."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

CREATE_CLIENT = "mutation { createClient { clientId token } }"
UPLOAD = "mutation($file: Upload!, $name: String) { uploadTrack(file: $file, name: $name) { id name status } }"


def auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


async def gql(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
) -> dict[str, Any]:
    """POST one operation; returns the JSON body (``data`` and maybe ``errors``)."""
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=auth(token))
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


async def new_token(http: httpx.AsyncClient) -> str:
    body = await gql(http, CREATE_CLIENT)
    token: str = body["data"]["createClient"]["token"]
    return token


async def upload(
    http: httpx.AsyncClient,
    content: bytes,
    *,
    token: str | None,
    filename: str = "mix.wav",
    name: str | None = None,
    csrf_header: bool = True,
) -> httpx.Response:
    """A multipart upload following the GraphQL multipart request spec."""
    operations = {"query": UPLOAD, "variables": {"file": None, "name": name}}
    headers = auth(token) | ({"Apollo-Require-Preflight": "true"} if csrf_header else {})
    return await http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (filename, content, "application/octet-stream")},
        headers=headers,
    )


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors") or []]


def ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://", 1) + "/graphql"


@asynccontextmanager
async def ws_session(base_url: str, *, token: str | None) -> AsyncIterator[ClientConnection]:
    """A graphql-transport-ws connection, initialised with the token in the ``connection_init`` payload."""
    async with connect(ws_url(base_url), subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        yield ws


async def subscribe(ws: ClientConnection, query: str, variables: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    """Messages for one subscription until ``complete`` or ``error`` (which is yielded too)."""
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}))
    while True:
        message = json.loads(await ws.recv())
        if message["type"] in ("connection_ack", "ping", "pong", "ka"):
            continue
        yield message
        if message["type"] in ("complete", "error"):
            return


MESSAGE_STREAM = "subscription($id: ID!) { messageStream(messageId: $id) { delta done message { status content } } }"


async def follow_message(base_url: str, token: str, message_id: str) -> tuple[list[str], dict[str, Any]]:
    """``messageStream`` until ``done``: the deltas as they came, and the final message (status, content)."""
    deltas: list[str] = []
    async with ws_session(base_url, token=token) as ws:
        async for frame in subscribe(ws, MESSAGE_STREAM, {"id": message_id}):
            assert frame["type"] == "next", frame
            event = frame["payload"]["data"]["messageStream"]
            if event["done"]:  # a message already finished arrives as one done event carrying all its text
                return deltas or [event["delta"]], event["message"]
            deltas.append(event["delta"])
    raise AssertionError("no done event")
