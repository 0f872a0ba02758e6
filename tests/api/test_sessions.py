"""Sessions over the API: create with a reference, list newest first, rename, validate input, delete."""

from __future__ import annotations

import httpx

from tests.api.audio_files import sine_wav
from tests.graphql_client import error_codes, gql, new_token, subscribe, upload, ws_session

CREATE = """mutation($t: ID!, $r: ID, $g: String, $title: String) {
  createSession(input: {trackId: $t, referenceTrackId: $r, genre: $g, title: $title}) {
    id title genre track { id name } referenceTrack { id } messages { edges { node { id } } pageInfo { hasNextPage } }
  } }"""


async def _track(http: httpx.AsyncClient, token: str, *, name: str, freq_hz: float = 440.0) -> str:
    response = await upload(http, sine_wav(seconds=1, freq_hz=freq_hz), token=token, name=name)
    track_id: str = response.json()["data"]["uploadTrack"]["id"]
    return track_id


async def test_sessions_create_with_reference_rename_and_list(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    mix = await _track(http, token, name="Mix")
    ref = await _track(http, token, name="Reference", freq_hz=330)
    body = await gql(http, CREATE, {"t": mix, "r": ref, "g": "  Deep   House "}, token=token)
    session = body["data"]["createSession"]
    assert session["title"] == "Mix" and session["genre"] == "deep house"
    assert session["track"] == {"id": mix, "name": "Mix"} and session["referenceTrack"] == {"id": ref}
    assert session["messages"] == {"edges": [], "pageInfo": {"hasNextPage": False}}

    second = (await gql(http, CREATE, {"t": ref, "title": "Second"}, token=token))["data"]["createSession"]
    assert second["genre"] == "general" and second["referenceTrack"] is None
    renamed = await gql(
        http,
        'mutation($id: ID!) { renameSession(id: $id, title: " New  title ") { title } }',
        {"id": session["id"]},
        token=token,
    )
    assert renamed["data"]["renameSession"]["title"] == "New title"
    listed = await gql(http, "{ sessions { edges { node { title } } } }", token=token)
    assert [e["node"]["title"] for e in listed["data"]["sessions"]["edges"]] == ["Second", "New title"]

    deleted = await gql(http, "mutation($id: ID!) { deleteSession(id: $id) }", {"id": session["id"]}, token=token)
    assert deleted["data"] == {"deleteSession": True}
    again = await gql(http, "mutation($id: ID!) { deleteSession(id: $id) }", {"id": session["id"]}, token=token)
    assert error_codes(again) == ["NOT_FOUND"]
    still = await gql(http, "query($id: ID!) { track(id: $id) { name } }", {"id": ref}, token=token)
    assert still["data"]["track"]["name"] == "Reference"


async def test_sessions_invalid_input_is_bad_user_input(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    mix = await _track(http, token, name="Mix")
    assert error_codes(await gql(http, CREATE, {"t": mix, "r": mix}, token=token)) == ["BAD_USER_INPUT"]
    assert error_codes(await gql(http, CREATE, {"t": mix, "title": "   "}, token=token)) == ["BAD_USER_INPUT"]
    assert error_codes(await gql(http, CREATE, {"t": mix, "g": "x" * 65}, token=token)) == ["BAD_USER_INPUT"]
    wrong_type = await gql(http, CREATE, {"t": "U2Vzc2lvbjox"}, token=token)  # a Session id where a Track is due
    assert error_codes(wrong_type) == ["NOT_FOUND"]
    long_name = await gql(
        http, 'mutation($id: ID!) { renameTrack(id: $id, name: "") { name } }', {"id": mix}, token=token
    )
    assert error_codes(long_name) == ["BAD_USER_INPUT"]


async def test_sessions_genres_lists_the_catalogue(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    body = await gql(http, "{ genres { name label aliases subgenres } }", token=token)
    genres = body["data"]["genres"]
    assert len(genres) > 3 and all(g["name"] and g["label"] for g in genres)


async def test_sessions_deleting_a_track_ends_its_event_stream(server: str, http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    # Ten minutes of audio: seconds of analysis, so the track is still unfinished when the subscription opens.
    response = await upload(http, sine_wav(seconds=600, sr=8000), token=token)
    track = response.json()["data"]["uploadTrack"]["id"]
    async with ws_session(server, token=token) as ws:
        stream = subscribe(
            ws, "subscription($id: ID!) { trackEvents(trackId: $id) { status errorCode } }", {"id": track}
        )
        first = await anext(stream)
        assert first["payload"]["data"]["trackEvents"]["status"] in ("QUEUED", "ANALYZING")
        await gql(http, "mutation($id: ID!) { deleteTrack(id: $id) }", {"id": track}, token=token)
        rest = [m async for m in stream]
    finals = [m["payload"]["data"]["trackEvents"] for m in rest if m["type"] == "next"]
    assert finals[-1] == {"status": "FAILED", "errorCode": "NOT_FOUND"} and rest[-1]["type"] == "complete"
