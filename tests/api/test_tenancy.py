"""A client sees and changes only its own data: another client's ids answer NOT_FOUND, like missing ones."""

from __future__ import annotations

import base64
import sqlite3
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx

from api.settings import Settings
from tests.api.audio_files import sine_wav
from tests.graphql_client import error_codes, gql, new_token, subscribe, upload, ws_session

CREATE_SESSION = 'mutation($t: ID!) { createSession(input: {trackId: $t, genre: "rock"}) { id } }'


async def _insert_message(db_url: str, session_pk: int) -> int:
    """Writing messages belongs to the feedback use-cases; the test writes one row directly."""
    sql = (
        "INSERT INTO message (session_id, role, kind, content, status, created_at, updated_at) "
        "VALUES ({p}, 'ASSISTANT', 'FEEDBACK', 'hello', 'COMPLETE', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) "
        "RETURNING id"
    )
    if db_url.startswith("sqlite://"):
        with sqlite3.connect(db_url.removeprefix("sqlite://")) as conn:
            row = conn.execute(sql.format(p="?"), (session_pk,)).fetchone()
        conn.close()
        return int(row[0])
    conn = await asyncpg.connect(db_url.replace("postgres://", "postgresql://", 1))
    try:
        return int(await conn.fetchval(sql.format(p="$1"), session_pk))
    finally:
        await conn.close()


async def _setup(http: httpx.AsyncClient, settings: Settings) -> dict[str, Any]:
    owner = await new_token(http)
    track = (await upload(http, sine_wav(seconds=1), token=owner)).json()["data"]["uploadTrack"]["id"]
    session = (await gql(http, CREATE_SESSION, {"t": track}, token=owner))["data"]["createSession"]["id"]
    listed = await gql(http, "{ sessions { edges { node { id } } } }", token=owner)
    assert listed["data"]["sessions"]["edges"] == [{"node": {"id": session}}]
    session_pk = int(base64.b64decode(session).decode().split(":")[1])
    message_pk = await _insert_message(str(settings.database_url), session_pk)
    message = base64.b64encode(f"Message:{message_pk}".encode()).decode()
    return {"owner": owner, "track": track, "session": session, "message": message}


async def test_tenancy_other_clients_get_not_found_everywhere(
    server: str, http: httpx.AsyncClient, settings: Settings
) -> None:
    ids = await _setup(http, settings)
    owner, intruder = ids["owner"], await new_token(http)
    own = await gql(
        http,
        "query($s: ID!, $m: ID!) "
        "{ session(id: $s) { messages { edges { node { id content } } } } message(id: $m) { id } }",
        {"s": ids["session"], "m": ids["message"]},
        token=owner,
    )
    assert own["data"]["message"]["id"] == ids["message"]
    assert own["data"]["session"]["messages"]["edges"][0]["node"]["content"] == "hello"

    cases = [
        ("query($id: ID!) { track(id: $id) { id } }", ids["track"]),
        ("query($id: ID!) { session(id: $id) { id } }", ids["session"]),
        ("query($id: ID!) { message(id: $id) { id } }", ids["message"]),
        ('mutation($id: ID!) { renameTrack(id: $id, name: "x") { id } }', ids["track"]),
        ("mutation($id: ID!) { deleteTrack(id: $id) }", ids["track"]),
        ("mutation($id: ID!) { createSession(input: {trackId: $id}) { id } }", ids["track"]),
        ('mutation($id: ID!) { renameSession(id: $id, title: "x") { id } }', ids["session"]),
        ("mutation($id: ID!) { deleteSession(id: $id) }", ids["session"]),
        ("mutation($id: ID!) { setSessionChoices(input: {id: $id, type: MASTERING}) { id } }", ids["session"]),
    ]
    for query, node_id in cases:
        assert error_codes(await gql(http, query, {"id": node_id}, token=intruder)) == ["NOT_FOUND"], query
    for node_id in (ids["track"], ids["session"], ids["message"]):
        body = await gql(http, "query($id: ID!) { node(id: $id) { id } }", {"id": node_id}, token=intruder)
        assert body["data"] == {"node": None}
    empty = await gql(http, "{ tracks { edges { node { id } } } sessions { edges { node { id } } } }", token=intruder)
    assert empty["data"] == {"tracks": {"edges": []}, "sessions": {"edges": []}}

    async with ws_session(server, token=intruder) as ws:
        messages = [
            m
            async for m in subscribe(
                ws, "subscription($id: ID!) { trackEvents(trackId: $id) { status } }", {"id": ids["track"]}
            )
        ]
    assert [e["extensions"]["code"] for e in messages[0]["payload"]["errors"]] == ["NOT_FOUND"]

    still = await gql(http, "query($id: ID!) { track(id: $id) { id } }", {"id": ids["track"]}, token=owner)
    assert still["data"]["track"]["id"] == ids["track"]


async def test_tenancy_reference_track_must_be_owned(http: httpx.AsyncClient) -> None:
    owner, other = await new_token(http), await new_token(http)
    mine = (await upload(http, sine_wav(seconds=1), token=owner)).json()["data"]["uploadTrack"]["id"]
    theirs = (await upload(http, sine_wav(seconds=1, freq_hz=220), token=other)).json()["data"]["uploadTrack"]["id"]
    body = await gql(
        http,
        "mutation($t: ID!, $r: ID!) { createSession(input: {trackId: $t, referenceTrackId: $r}) { id } }",
        {"t": mine, "r": theirs},
        token=owner,
    )
    assert error_codes(body) == ["NOT_FOUND"]
