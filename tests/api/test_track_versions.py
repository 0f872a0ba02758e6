"""Versions over a live server: an upload with ``previousVersionId`` becomes v2 of that track, ``versionComparison``
sorts v1's and v2's findings into resolved / new / still there with the figures side by side, the coach answers
"did I fix what you flagged?" from that comparison (builtin engine), and the session exports as Markdown and JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from api.settings import Settings
from tests.api.audio_files import sine_wav
from tests.graphql_client import auth, error_codes, gql, new_token, subscribe, ws_session

UPLOAD_VERSION = """mutation($file: Upload!, $prev: ID) {
  uploadTrack(file: $file, previousVersionId: $prev) { id name version status } }"""
COMPARE = """query($id: ID!) { track(id: $id) {
  version previousVersion { id version } versions { id version }
  findings(genre: "pop") { findings { id } }
  versionComparison(genre: "pop") {
    previousTrackId previousVersion version
    figures { key before after delta }
    resolved { id } new { id } still { before { id } after { id } }
    bandDeltasDb { band deltaDb }
    sections { index loudnessDeltaLu }
  } } }"""
FINDINGS = 'query($id: ID!) { track(id: $id) { findings(genre: "pop") { findings { id } } } }'
REQUEST = (
    """mutation($t: ID!) { requestFeedback(input: {trackId: $t, genre: "pop", type: MIXDOWN}) { id sessionId } }"""
)
ASK = """mutation($s: ID!, $q: String!) { askFollowup(input: {sessionId: $s, question: $q}) { id } }"""
STREAM = """subscription($id: ID!) { messageStream(messageId: $id) { done message { content toolCalls { name } } } }"""
REPORT = "query($s: ID!) { session(id: $s) { reportMarkdown reportJson } }"

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the store is covered on both elsewhere


async def _upload_ready(http: httpx.AsyncClient, base: str, token: str, audio: bytes, prev: str | None) -> str:
    operations = {"query": UPLOAD_VERSION, "variables": {"file": None, "prev": prev}}
    response = await http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("mix.wav", audio, "application/octet-stream")},
        headers=auth(token) | {"Apollo-Require-Preflight": "true"},
    )
    track_id: str = response.json()["data"]["uploadTrack"]["id"]
    async with ws_session(base, token=token) as ws:
        query = "subscription($id: ID!) { trackEvents(trackId: $id) { status } }"
        async for _ in subscribe(ws, query, {"id": track_id}):
            pass
    return track_id


async def _answer(base: str, token: str, message_id: str) -> dict[str, Any]:
    async with ws_session(base, token=token) as ws:
        async for frame in subscribe(ws, STREAM, {"id": message_id}):
            event = frame.get("payload", {}).get("data", {}).get("messageStream") or {}
            if event.get("done"):
                message: dict[str, Any] = event["message"]
                return message
    raise AssertionError("the stream ended without a final event")


async def test_a_second_version_is_compared_with_the_first_and_the_coach_reads_the_comparison(
    settings: Settings, live_server: Callable[[Settings], Any]
) -> None:
    server = live_server(settings.model_copy(update={"llm": "builtin"}))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
        v1 = await _upload_ready(http, server.url, token, sine_wav(seconds=6, freq_hz=60.0, amplitude=0.9), None)
        v2 = await _upload_ready(http, server.url, token, sine_wav(seconds=6, freq_hz=440.0, amplitude=0.3), v1)
        first = (await gql(http, FINDINGS, {"id": v1}, token=token))["data"]["track"]["findings"]["findings"]
        track = (await gql(http, COMPARE, {"id": v2}, token=token))["data"]["track"]
        stranger = await new_token(http)
        refused = await _upload_refused(http, stranger, v1)
        session = (await gql(http, REQUEST, {"t": v2}, token=token))["data"]["requestFeedback"]
        await _answer(server.url, token, session["id"])
        asked = await gql(http, ASK, {"s": session["sessionId"], "q": "Did I fix what you flagged?"}, token=token)
        answer = await _answer(server.url, token, asked["data"]["askFollowup"]["id"])
        body = await gql(http, REPORT, {"s": session["sessionId"]}, token=token)
        assert "errors" not in body, body
        report = body["data"]["session"]
    assert (track["version"], track["previousVersion"]) == (2, {"id": v1, "version": 1})
    assert [v["version"] for v in track["versions"]] == [1, 2]
    cmp = track["versionComparison"]
    assert (cmp["previousTrackId"], cmp["previousVersion"], cmp["version"]) == (v1, 1, 2)
    before_ids, after_ids = {f["id"] for f in first}, {f["id"] for f in track["findings"]["findings"]}
    resolved, new = {f["id"] for f in cmp["resolved"]}, {f["id"] for f in cmp["new"]}
    still = {c["after"]["id"] for c in cmp["still"]}
    assert resolved and resolved == before_ids - after_ids
    assert new == after_ids - before_ids and still == before_ids & after_ids
    loudness = next(f for f in cmp["figures"] if f["key"] == "loudness.integrated_lufs")
    assert (
        loudness["delta"] == pytest.approx(loudness["after"] - loudness["before"], abs=0.01) and loudness["delta"] < 0
    )
    assert {b["band"] for b in cmp["bandDeltasDb"]} >= {"sub", "bass"}
    assert refused == ["NOT_FOUND"]
    assert [c["name"] for c in answer["toolCalls"]] == ["version_changes"]
    assert "Version 2 against version 1" in answer["content"] and "Fixed:" in answer["content"]
    assert report["reportJson"]["track"]["version"] == 2
    assert report["reportJson"]["conversation"][-1]["content"] == answer["content"]
    assert report["reportMarkdown"].startswith("# Mix") or report["reportMarkdown"].startswith("# mix")
    assert "## Findings" in report["reportMarkdown"] and "Did I fix what you flagged?" in report["reportMarkdown"]


async def _upload_refused(http: httpx.AsyncClient, token: str, previous: str) -> list[str]:
    """Another client cannot hang a version on someone else's track."""
    operations = {"query": UPLOAD_VERSION, "variables": {"file": None, "prev": previous}}
    response = await http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("mix.wav", sine_wav(seconds=1), "application/octet-stream")},
        headers=auth(token) | {"Apollo-Require-Preflight": "true"},
    )
    return error_codes(response.json())
