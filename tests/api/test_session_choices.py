"""A session remembers the genre, stage and profile chosen for it, so a reload or History restores them."""

from __future__ import annotations

import httpx

from tests.api.audio_files import sine_wav
from tests.api.ready_track import ready_track
from tests.graphql_client import error_codes, gql, new_token, upload

CHOICES = """mutation($id: ID!, $g: String, $t: FeedbackType, $p: FeedbackProfile) {
  setSessionChoices(input: {id: $id, genre: $g, type: $t, profile: $p}) { id genre stage profile } }"""
READ = "query($id: ID!) { session(id: $id) { genre stage profile } }"


async def test_session_choices_are_stored_and_a_null_leaves_one_as_it_was(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    track = (await upload(http, sine_wav(seconds=1), token=token)).json()["data"]["uploadTrack"]["id"]
    created = await gql(
        http,
        "mutation($t: ID!) { createSession(input: {trackId: $t}) { id stage profile } }",
        {"t": track},
        token=token,
    )
    session = created["data"]["createSession"]
    assert (session["stage"], session["profile"]) == (None, None)

    body = await gql(http, CHOICES, {"id": session["id"], "g": " Techno ", "t": "MASTERING", "p": "PRO"}, token=token)
    assert body["data"]["setSessionChoices"] == {
        "id": session["id"],
        "genre": "techno",
        "stage": "MASTERING",
        "profile": "PRO",
    }
    await gql(http, CHOICES, {"id": session["id"], "t": "MASTER_REVIEW"}, token=token)
    read = await gql(http, READ, {"id": session["id"]}, token=token)
    assert read["data"]["session"] == {"genre": "techno", "stage": "MASTER_REVIEW", "profile": "PRO"}
    await gql(http, CHOICES, {"id": session["id"], "g": ""}, token=token)  # "New upload" clears the genre
    read = await gql(http, READ, {"id": session["id"]}, token=token)
    assert read["data"]["session"]["genre"] == "general"

    too_long = await gql(http, CHOICES, {"id": session["id"], "g": "x" * 65}, token=token)
    assert error_codes(too_long) == ["BAD_USER_INPUT"]
    intruder = await new_token(http)
    assert error_codes(await gql(http, CHOICES, {"id": session["id"], "t": "MIXDOWN"}, token=intruder)) == ["NOT_FOUND"]
    read = await gql(http, READ, {"id": session["id"]}, token=token)
    assert read["data"]["session"]["stage"] == "MASTER_REVIEW"


async def test_session_choices_follow_each_feedback_request(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    track = await ready_track(http, token, seconds=3.0)
    request = """mutation($t: ID!, $s: ID, $g: String, $type: FeedbackType!, $p: FeedbackProfile!) {
      requestFeedback(input: {trackId: $t, sessionId: $s, genre: $g, type: $type, profile: $p}) { sessionId } }"""
    first = await gql(http, request, {"t": track, "g": "rock", "type": "MASTERING", "p": "SIMPLE"}, token=token)
    session = first["data"]["requestFeedback"]["sessionId"]
    read = await gql(http, READ, {"id": session}, token=token)
    assert read["data"]["session"] == {"genre": "rock", "stage": "MASTERING", "profile": "SIMPLE"}
    await gql(http, request, {"t": track, "s": session, "g": "techno", "type": "MIXDOWN", "p": "PRO"}, token=token)
    listed = await gql(http, "{ sessions { edges { node { genre stage profile } } } }", token=token)
    assert listed["data"]["sessions"]["edges"] == [{"node": {"genre": "techno", "stage": "MIXDOWN", "profile": "PRO"}}]
