"""Tenancy: every operation but createClient needs a valid bearer token."""

from __future__ import annotations

import httpx
import pytest

from api.settings import Settings
from tests.graphql_client import CREATE_CLIENT, error_codes, gql, new_token, subscribe, upload, ws_session

FAKE_TRACK = "VHJhY2s6MQ=="  # Track:1
FAKE_SESSION = "U2Vzc2lvbjox"  # Session:1
FAKE_MESSAGE = "TWVzc2FnZTox"  # Message:1

OPERATIONS = [
    ("query { track(id: $id) { id } }", {"id": FAKE_TRACK}),
    ("query { tracks { edges { node { id } } } }", {}),
    ("query { session(id: $id) { id } }", {"id": FAKE_SESSION}),
    ("query { sessions { edges { node { id } } } }", {}),
    ("query { message(id: $id) { id } }", {"id": FAKE_MESSAGE}),
    ("query { node(id: $id) { id } }", {"id": FAKE_TRACK}),
    ("query { genres { name } }", {}),
    ('mutation { renameTrack(id: $id, name: "x") { id } }', {"id": FAKE_TRACK}),
    ("mutation { deleteTrack(id: $id) }", {"id": FAKE_TRACK}),
    ("mutation { createSession(input: {trackId: $id}) { id } }", {"id": FAKE_TRACK}),
    ('mutation { renameSession(id: $id, title: "x") { id } }', {"id": FAKE_SESSION}),
    ("mutation { deleteSession(id: $id) }", {"id": FAKE_SESSION}),
]


def _with_variables(query: str, variables: dict[str, str]) -> str:
    """Declare ``$id`` when the operation uses it."""
    if not variables:
        return query
    kind, _, rest = query.partition(" ")
    return f"{kind}($id: ID!) {rest}"


@pytest.mark.parametrize(("query", "variables"), OPERATIONS)
@pytest.mark.parametrize("token", [None, "not-a-real-token"])
async def test_auth_operations_refuse_missing_or_bad_tokens(
    http: httpx.AsyncClient, query: str, variables: dict[str, str], token: str | None
) -> None:
    body = await gql(http, _with_variables(query, variables), variables, token=token)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert "createClient" in body["errors"][0]["message"]


async def test_auth_upload_refuses_missing_token(http: httpx.AsyncClient) -> None:
    response = await upload(http, b"RIFF....", token=None)
    assert error_codes(response.json()) == ["UNAUTHENTICATED"]


async def test_auth_create_client_returns_a_working_token(http: httpx.AsyncClient) -> None:
    body = await gql(http, CREATE_CLIENT)
    credentials = body["data"]["createClient"]
    assert credentials["clientId"] and len(credentials["token"]) >= 40
    listed = await gql(http, "{ tracks { edges { node { id } } } }", token=credentials["token"])
    assert listed == {"data": {"tracks": {"edges": []}}}


async def test_auth_create_client_is_rate_limited(live_server: object, settings: Settings) -> None:
    limited = settings.model_copy(update={"create_client_per_minute": 2})
    url = live_server(limited).url  # type: ignore[operator]
    async with httpx.AsyncClient(base_url=url) as client:
        bodies = [await gql(client, CREATE_CLIENT) for _ in range(3)]
    assert [error_codes(b) for b in bodies] == [[], [], ["RATE_LIMITED"]]
    assert "try again" in bodies[2]["errors"][0]["message"]


async def test_auth_websocket_rejects_a_bad_token(server: str) -> None:
    async with ws_session(server, token="nope") as ws:
        with pytest.raises(Exception) as info:
            await ws.recv()
    assert getattr(info.value, "rcvd", None) is not None and info.value.rcvd.code == 4403  # type: ignore[attr-defined]


async def test_auth_websocket_without_token_is_rejected(server: str) -> None:
    async with ws_session(server, token=None) as ws:
        with pytest.raises(Exception) as info:
            await ws.recv()
    assert info.value.rcvd.code == 4403  # type: ignore[attr-defined]


async def test_auth_websocket_accepts_a_valid_token_and_scopes_subscriptions(
    server: str, http: httpx.AsyncClient
) -> None:
    token = await new_token(http)
    async with ws_session(server, token=token) as ws:
        messages = [
            m
            async for m in subscribe(
                ws, "subscription($id: ID!) { trackEvents(trackId: $id) { status } }", {"id": FAKE_TRACK}
            )
        ]
    assert messages[0]["type"] == "next"
    assert [e["extensions"]["code"] for e in messages[0]["payload"]["errors"]] == ["NOT_FOUND"]
