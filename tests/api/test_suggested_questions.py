"""Suggested questions come from the server: from a track's findings, and per session without any question that was
already asked (through GraphQL on a live server, builtin engine)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from api.settings import Settings
from tests.api.ready_track import ready_track
from tests.api.test_feedback_e2e import ASK, REQUEST, _follow
from tests.graphql_client import gql, new_token

FINDINGS = """query($id: ID!) { track(id: $id) { findings(genre: "hip hop", type: MIXDOWN) {
  suggestedQuestions findings { id severity } } } }"""
SUGGESTED = "query($s: ID!) { session(id: $s) { suggestedQuestions } }"


async def test_suggested_questions_skip_what_was_asked(
    settings: Settings, live_server: Callable[[Settings], Any]
) -> None:
    server = live_server(settings.model_copy(update={"llm": "builtin"}))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
        track_id = await ready_track(http, token, seconds=8, amplitude=1.0)
        report = (await gql(http, FINDINGS, {"id": track_id}, token=token))["data"]["track"]["findings"]
        offered = report["suggestedQuestions"]
        assert 1 <= len(offered) <= 4 and len(set(offered)) == len(offered)
        assert report["findings"] and any("clip" in q.lower() for q in offered)  # a full-scale tone clips

        variables = {"t": track_id, "g": "hip hop", "type": "MIXDOWN", "p": "DETAILED"}
        first = (await gql(http, REQUEST, variables, token=token))["data"]["requestFeedback"]
        await _follow(server.url, token, first["id"])
        session = first["sessionId"]
        before = (await gql(http, SUGGESTED, {"s": session}, token=token))["data"]["session"]["suggestedQuestions"]
        assert before == offered
        asked = before[0]
        answer = (await gql(http, ASK, {"s": session, "q": asked.upper()}, token=token))["data"]["askFollowup"]
        await _follow(server.url, token, answer["id"])
        after = (await gql(http, SUGGESTED, {"s": session}, token=token))["data"]["session"]["suggestedQuestions"]
        assert asked not in after and after and after[: len(before) - 1] == before[1:]
