"""GraphQL hygiene: limits, error codes, masking of unexpected errors on queries and subscriptions, pagination."""

from __future__ import annotations

import base64
import sqlite3

import httpx
import pytest

from api.settings import Settings
from tests.api.audio_files import sine_wav
from tests.graphql_client import error_codes, gql, new_token, subscribe, upload, ws_session


async def test_errors_depth_limit_is_query_too_complex(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    query = "{ sessions { edges { node { " + "track { " * 12 + "id" + " }" * 12 + " } } } }"
    body = await gql(http, query, token=token)
    assert set(error_codes(body)) == {"QUERY_TOO_COMPLEX"}
    assert any("nested 16 levels deep" in error["message"] for error in body["errors"])


async def test_errors_invalid_global_id_is_not_found(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    body = await gql(http, '{ node(id: "x") { id } }', token=token)
    assert error_codes(body) == ["NOT_FOUND"]


async def test_errors_too_many_aliases_is_query_too_complex(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    query = "{ " + " ".join(f"a{i}: genres {{ name }}" for i in range(40)) + " }"
    body = await gql(http, query, token=token)
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
    assert "aliases" in body["errors"][0]["message"]


async def test_errors_syntax_and_validation_keep_their_message(http: httpx.AsyncClient) -> None:
    body = await gql(http, "{ tracks { edges { node { nope } } } }")
    assert error_codes(body) == ["BAD_USER_INPUT"] and "nope" in body["errors"][0]["message"]
    body = await gql(http, "{ tracks ")
    assert error_codes(body) == ["BAD_USER_INPUT"] and "Syntax Error" in body["errors"][0]["message"]


async def test_errors_bad_ids_and_cursors_are_bad_user_input(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    body = await gql(http, 'query { track(id: "%%%") { id } }', token=token)
    assert error_codes(body) == ["NOT_FOUND"]
    body = await gql(http, 'query { tracks(after: "garbage!") { edges { cursor } } }', token=token)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    body = await gql(http, "query { tracks(first: 1000) { edges { cursor } } }", token=token)
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_errors_pagination_walks_tracks_newest_first(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    names = [f"t{i}" for i in range(5)]
    for i, name in enumerate(names):
        await upload(http, sine_wav(seconds=1, freq_hz=200 + 50 * i), token=token, name=name)
    seen: list[str] = []
    after = None
    while True:
        body = await gql(
            http,
            "query($a: String) { tracks(first: 2, after: $a) "
            "{ edges { node { name } } pageInfo { hasNextPage endCursor } } }",
            {"a": after},
            token=token,
        )
        page = body["data"]["tracks"]
        seen += [edge["node"]["name"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == list(reversed(names))


async def _break_stored_analysis(settings: Settings) -> None:
    """Simulate a bug: a stored analysis that no longer parses (only on the SQLite file)."""
    path = str(settings.database_url).removeprefix("sqlite://")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE track SET status = 'READY', analysis = '{\"broken\": true}'")
    conn.close()


async def test_errors_unexpected_failures_are_masked_with_request_id(
    server: str, http: httpx.AsyncClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    if not str(settings.database_url).startswith("sqlite://"):
        pytest.skip("the fault is injected through the SQLite file")
    token = await new_token(http)
    track = (await upload(http, sine_wav(seconds=1), token=token)).json()["data"]["uploadTrack"]["id"]
    await _break_stored_analysis(settings)

    body = await gql(
        http, "query($id: ID!) { track(id: $id) { analysis { schemaVersion } } }", {"id": track}, token=token
    )
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL" and error["message"].startswith("Internal error")
    assert "broken" not in error["message"] and error["extensions"]["requestId"]
    logged = [r for r in caplog.records if r.name == "schema.errors"]
    assert len(logged) == 1 and error["extensions"]["requestId"] in logged[0].getMessage()

    renamed = await gql(
        http,
        'mutation($id: ID!) { renameTrack(id: $id, name: "x") { analysis { schemaVersion } } }',
        {"id": track},
        token=token,
    )
    assert error_codes(renamed) == ["INTERNAL"] and renamed["errors"][0]["extensions"]["requestId"]

    async with ws_session(server, token=token) as ws:
        messages = [
            m
            async for m in subscribe(
                ws,
                "subscription($id: ID!) { trackEvents(trackId: $id) { track { analysis { schemaVersion } } } }",
                {"id": track},
            )
        ]
    codes = [e["extensions"]["code"] for m in messages if m["type"] == "next" for e in m["payload"].get("errors", [])]
    assert codes == ["INTERNAL"]


def test_errors_ids_are_opaque_relay_ids() -> None:
    assert base64.b64decode("VHJhY2s6MQ==") == b"Track:1"


async def test_errors_too_many_tokens_is_query_too_complex(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    query = "{ tracks { edges { node { " + "id " * 3000 + "} } } }"
    body = await gql(http, query, token=token)
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"] and "tokens" in body["errors"][0]["message"]


async def test_errors_create_client_works_even_with_a_stale_token(http: httpx.AsyncClient) -> None:
    body = await gql(http, "mutation { createClient { token } }", token="stale")
    assert "errors" not in body and body["data"]["createClient"]["token"]
