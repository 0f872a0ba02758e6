"""Every ownership check, each with a test that fails if the check is removed.

A missing id and another client's id answer the same NOT_FOUND (so ids cannot be probed), and a refused call writes
nothing: no session, no question, no reference. Every feedback operation needs a token. Live server, real HTTP and
WebSocket round trips, on SQLite and PostgreSQL (``db_url``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from api.settings import Settings
from tests.api.audio_files import sine_wav
from tests.api.ready_track import ready_track
from tests.graphql_client import error_codes, gql, new_token, subscribe, upload, ws_session

REQUEST = """mutation($t: ID!, $s: ID, $r: ID, $g: String) {
  requestFeedback(input: {trackId: $t, sessionId: $s, referenceTrackId: $r, genre: $g}) { id sessionId } }"""
ASK = """mutation($s: ID!, $f: ID, $r: ID) {
  askFollowup(input: {sessionId: $s, question: "and the low end?", followupGroup: $f, referenceTrackId: $r}) { id } }"""
RETRY = "mutation($id: ID!) { retryMessage(id: $id) { id } }"
STREAM = "subscription($id: ID!) { messageStream(messageId: $id) { delta done } }"
SESSION = """query($id: ID!) { session(id: $id) { genre referenceTrack { id } track { id }
  messages { edges { node { id role content } } } } }"""
SESSIONS = "{ sessions { edges { node { id } } } }"
MISSING_TRACK = base64.b64encode(b"Track:987654").decode()
MISSING_MESSAGE = base64.b64encode(b"Message:987654").decode()


@pytest.fixture
async def http(settings: Settings, live_server: Callable[[Settings], Any]) -> AsyncIterator[httpx.AsyncClient]:
    """The built-in engine: answers are quick and need no model server."""
    server = live_server(settings.model_copy(update={"llm": "builtin"}))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        yield client


async def _finished(http: httpx.AsyncClient, token: str, message_id: str) -> None:
    async with ws_session(str(http.base_url).rstrip("/"), token=token) as ws:
        frames = [frame async for frame in subscribe(ws, STREAM, {"id": message_id})]
    assert frames[-1]["type"] == "complete", frames


async def _feedback(http: httpx.AsyncClient, token: str, track_id: str, **extra: Any) -> dict[str, Any]:
    body = await gql(http, REQUEST, {"t": track_id, **extra}, token=token)
    message: dict[str, Any] = body["data"]["requestFeedback"]
    await _finished(http, token, message["id"])
    return message


async def _session(http: httpx.AsyncClient, token: str, session_id: str) -> dict[str, Any]:
    body = await gql(http, SESSION, {"id": session_id}, token=token)
    assert "errors" not in body, body  # the caller's own session stays readable
    session: dict[str, Any] = body["data"]["session"]
    return session


async def _sessions(http: httpx.AsyncClient, token: str) -> list[str]:
    return [e["node"]["id"] for e in (await gql(http, SESSIONS, token=token))["data"]["sessions"]["edges"]]


async def _refused_alike(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any], *, token: str, key: str, foreign: str
) -> None:
    """The same call with a foreign id and with a missing one: both NOT_FOUND, with the same message."""
    answers = [await gql(http, query, variables | {key: node_id}, token=token) for node_id in (foreign, MISSING_TRACK)]
    assert [error_codes(a) for a in answers] == [["NOT_FOUND"], ["NOT_FOUND"]], answers
    assert answers[0]["errors"][0]["message"] == answers[1]["errors"][0]["message"]


async def test_ownership_duplicate_upload_reuses_only_the_callers_own_analysis(http: httpx.AsyncClient) -> None:
    owner, other = await new_token(http), await new_token(http)
    audio = sine_wav(seconds=2, freq_hz=60.0, amplitude=0.9)
    first = await ready_track(http, owner, seconds=2)
    again = (await upload(http, audio, token=owner)).json()["data"]["uploadTrack"]
    assert again["id"] != first and again["status"] == "READY"  # the owner's finished analysis is reused
    theirs = (await upload(http, audio, token=other)).json()["data"]["uploadTrack"]
    assert theirs["status"] == "QUEUED"  # same content, another client: analysed afresh, nothing shared
    shared = await gql(http, "query($id: ID!) { track(id: $id) { id } }", {"id": first}, token=other)
    assert error_codes(shared) == ["NOT_FOUND"]


async def test_ownership_followup_group_of_another_client_is_not_found(http: httpx.AsyncClient) -> None:
    owner, intruder = await new_token(http), await new_token(http)
    theirs = await _feedback(http, owner, await ready_track(http, owner, seconds=2))
    mine = await _feedback(http, intruder, await ready_track(http, intruder, seconds=2))
    before = [await _session(http, t, m["sessionId"]) for t, m in ((owner, theirs), (intruder, mine))]

    asked = await gql(http, ASK, {"s": mine["sessionId"], "f": theirs["id"]}, token=intruder)
    assert error_codes(asked) == ["NOT_FOUND"]
    missing = await gql(http, ASK, {"s": mine["sessionId"], "f": MISSING_MESSAGE}, token=intruder)
    assert missing["errors"][0]["message"] == asked["errors"][0]["message"]
    after = [await _session(http, t, m["sessionId"]) for t, m in ((owner, theirs), (intruder, mine))]
    assert after == before  # no question was written into either thread


async def test_ownership_reference_on_request_feedback(http: httpx.AsyncClient) -> None:
    owner, other = await new_token(http), await new_token(http)
    track = await ready_track(http, owner, seconds=2)
    foreign = await ready_track(http, other, seconds=2)

    # Without a session: refused before a session is created.
    await _refused_alike(http, REQUEST, {"t": track}, token=owner, key="r", foreign=foreign)
    assert await _sessions(http, owner) == []

    # With the caller's session: refused before its reference is changed; the session stays the caller's.
    message = await _feedback(http, owner, track)
    before = await _session(http, owner, message["sessionId"])
    await _refused_alike(http, REQUEST, {"t": track, "s": message["sessionId"]}, token=owner, key="r", foreign=foreign)
    after = await _session(http, owner, message["sessionId"])
    assert after == before and after["referenceTrack"] is None
    assert await _sessions(http, owner) == [message["sessionId"]]


async def test_ownership_reference_on_ask_followup(http: httpx.AsyncClient) -> None:
    owner, other = await new_token(http), await new_token(http)
    message = await _feedback(http, owner, await ready_track(http, owner, seconds=2))
    foreign = await ready_track(http, other, seconds=2)
    before = await _session(http, owner, message["sessionId"])
    await _refused_alike(http, ASK, {"s": message["sessionId"]}, token=owner, key="r", foreign=foreign)
    assert await _session(http, owner, message["sessionId"]) == before  # no question, no reference


async def test_ownership_own_reference_is_accepted(http: httpx.AsyncClient) -> None:
    """The direction check for the two above: the caller's own analysed track is a valid reference."""
    owner = await new_token(http)
    track = await ready_track(http, owner, seconds=2)
    reference = await ready_track(http, owner, seconds=3)
    message = await _feedback(http, owner, track)
    again = await _feedback(http, owner, track, s=message["sessionId"], r=reference)
    assert again["sessionId"] == message["sessionId"]
    assert (await _session(http, owner, message["sessionId"]))["referenceTrack"] == {"id": reference}
    same = await gql(http, REQUEST, {"t": track, "s": message["sessionId"], "r": track}, token=owner)
    assert error_codes(same) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("length", [64, 65, 10_000])
async def test_ownership_genre_is_validated_before_any_write(http: httpx.AsyncClient, length: int) -> None:
    owner = await new_token(http)
    track = await ready_track(http, owner, seconds=2)
    message = await _feedback(http, owner, track)
    genre = "x" * length
    body = await gql(http, REQUEST, {"t": track, "s": message["sessionId"], "g": genre}, token=owner)
    fresh = await gql(http, REQUEST, {"t": track, "g": genre}, token=owner)
    findings = await gql(
        http,
        "query($id: ID!, $g: String) { track(id: $id) { findings(genre: $g) { type } } }",
        {"id": track, "g": genre},
        token=owner,
    )
    if length <= 64:
        assert not error_codes(body) and not error_codes(fresh) and not error_codes(findings)
        await _finished(http, owner, body["data"]["requestFeedback"]["id"])
        await _finished(http, owner, fresh["data"]["requestFeedback"]["id"])
        return
    for refused in (body, fresh, findings):
        assert error_codes(refused) == ["BAD_USER_INPUT"] and "64 characters" in refused["errors"][0]["message"]
        assert len(json.dumps(refused)) < 2000  # the value is not echoed back
    assert await _sessions(http, owner) == [message["sessionId"]]  # nothing was written


FEEDBACK_OPERATIONS = [
    (REQUEST, {"t": MISSING_TRACK}),
    (ASK, {"s": base64.b64encode(b"Session:1").decode()}),
    (RETRY, {"id": MISSING_MESSAGE}),
]


@pytest.mark.parametrize(("query", "variables"), FEEDBACK_OPERATIONS)
@pytest.mark.parametrize("token", [None, "not-a-real-token"])
async def test_ownership_feedback_mutations_need_a_token(
    http: httpx.AsyncClient, query: str, variables: dict[str, str], token: str | None
) -> None:
    body = await gql(http, query, variables, token=token)
    assert error_codes(body) == ["UNAUTHENTICATED"] and body["data"] is None


async def test_ownership_message_stream_needs_a_token(http: httpx.AsyncClient) -> None:
    owner = await new_token(http)
    message = await _feedback(http, owner, await ready_track(http, owner, seconds=2))
    base = str(http.base_url).rstrip("/")
    for token in (None, "not-a-real-token"):
        async with ws_session(base, token=token) as ws:
            with pytest.raises(Exception) as refused:
                await anext(subscribe(ws, STREAM, {"id": message["id"]}))
        assert refused.value.rcvd.code == 4403  # type: ignore[attr-defined]  # the protocol's UNAUTHENTICATED
