"""askFollowup with a time range, and Message.toolCalls, through GraphQL on a live server (SQLite and PostgreSQL):
the range is validated against the track, stored on the question, and the answer is written from that span —
offline from the lookups, and by a model (the fake server) whose tool calls are run and shown."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from api.settings import Settings
from tests.api.ready_track import ready_track
from tests.fakes.llm_fixtures import TEST_API_KEY, require_loopback
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.graphql_client import error_codes, gql, new_token, subscribe, ws_session

FIELDS = "id role status content timeRange { startS endS } toolCalls { name arguments result }"
REQUEST = """mutation($t: ID!) { requestFeedback(input: {trackId: $t, genre: "pop", type: MIXDOWN, profile: PRO}) {
  id sessionId } }"""
ASK = f"""mutation($s: ID!, $q: String!, $a: Float, $b: Float) {{
  askFollowup(input: {{sessionId: $s, question: $q, startS: $a, endS: $b}}) {{ {FIELDS} }} }}"""
STREAM = f"""subscription($id: ID!) {{ messageStream(messageId: $id) {{ done message {{ {FIELDS} }} }} }}"""
HISTORY = f"""query($s: ID!) {{ session(id: $s) {{ messages(first: 20) {{ edges {{ node {{ {FIELDS} }} }} }} }} }}"""


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer().start()
    yield server
    server.stop()


async def _follow(base_url: str, token: str, message_id: str) -> tuple[None, dict[str, Any]]:
    """Follow a message until it is finished; returns the stored message from the last event."""
    async with ws_session(base_url, token=token) as ws:
        async for frame in subscribe(ws, STREAM, {"id": message_id}):
            assert frame["type"] != "error", frame
            event = frame.get("payload", {}).get("data", {}).get("messageStream") or {}
            if event.get("done"):
                return None, event["message"]
    raise AssertionError("the stream ended without a final event")


async def _session(http: httpx.AsyncClient, base_url: str, token: str) -> str:
    track_id = await ready_track(http, token, seconds=8, amplitude=0.5)
    first = (await gql(http, REQUEST, {"t": track_id}, token=token))["data"]["requestFeedback"]
    await _follow(base_url, token, first["id"])
    return str(first["sessionId"])


async def _history(http: httpx.AsyncClient, token: str, session_id: str) -> list[dict[str, Any]]:
    body = await gql(http, HISTORY, {"s": session_id}, token=token)
    return [e["node"] for e in body["data"]["session"]["messages"]["edges"]]


async def test_ask_with_a_time_range_is_answered_from_that_span(
    settings: Settings, live_server: Callable[[Settings], Any]
) -> None:
    server = live_server(settings.model_copy(update={"llm": "builtin"}))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
        session_id = await _session(http, server.url, token)
        variables = {"s": session_id, "q": "what happens here?", "a": 2.0, "b": 6.5}
        answer = (await gql(http, ASK, variables, token=token))["data"]["askFollowup"]
        _, done = await _follow(server.url, token, answer["id"])
        history = await _history(http, token, session_id)
    question = next(m for m in history if m["role"] == "USER")
    assert question["timeRange"] == {"startS": 2.0, "endS": 6.5} and question["toolCalls"] == []
    calls = done["toolCalls"]
    assert [c["name"] for c in calls] == ["span_figures"] and calls[0]["arguments"] == {"start_s": 2.0, "end_s": 6.5}
    loudness = calls[0]["result"]["short_term_loudness"]
    assert f"averages {loudness['mean_lufs']:.1f} LUFS" in done["content"]  # the figure of that span, quoted
    assert "0:02-0:06" in done["content"] or "0:02-0:07" in done["content"]
    assert next(m for m in history if m["id"] == done["id"])["toolCalls"] == calls  # stored, read back the same


@pytest.mark.parametrize(("start", "end"), [(5.0, 5.0), (6.0, 2.0), (-1.0, 3.0), (2.0, 60.0), (2.0, None)])
async def test_a_bad_time_range_is_refused_before_anything_is_stored(
    settings: Settings, live_server: Callable[[Settings], Any], start: float, end: float | None
) -> None:
    server = live_server(settings.model_copy(update={"llm": "builtin"}))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
        session_id = await _session(http, server.url, token)
        body = await gql(http, ASK, {"s": session_id, "q": "here?", "a": start, "b": end}, token=token)
        assert error_codes(body) == ["BAD_USER_INPUT"]
        assert "time range" in json.dumps(body["errors"]) or "startS" in json.dumps(body["errors"])
        assert [m["role"] for m in await _history(http, token, session_id)] == ["ASSISTANT"]


async def test_model_tool_calls_are_run_and_shown_in_graphql(
    settings: Settings, live_server: Callable[[Settings], Any], fake_llm: FakeOpenAIServer
) -> None:
    require_loopback(fake_llm.url)
    configured = settings.model_copy(
        update={
            "llm": "openai",
            "openai_base_url": fake_llm.url,
            "openai_api_key": SecretStr(TEST_API_KEY),
            "llm_max_retries": 0,
            "llm_temperature": 0.2,
            "llm_max_output_tokens": 900,
        }
    )
    server = live_server(configured)
    fake_llm.push(Reply(text="1. Sub.\n   Fix: cut it."))  # the feedback
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
        session_id = await _session(http, server.url, token)
        fake_llm.push(
            Reply(tool_calls=[("span_figures", '{"start_s": 1, "end_s": 4}'), ("measurement", '{"name": "key"}')]),
            Reply(text="From 0:01 to 0:04 it holds steady."),
        )
        variables = {"s": session_id, "q": "what happens here?", "a": 1.0, "b": 4.0}
        answer = (await gql(http, ASK, variables, token=token))["data"]["askFollowup"]
        _, done = await _follow(server.url, token, answer["id"])
    assert done["content"] == "From 0:01 to 0:04 it holds steady."
    assert [c["name"] for c in done["toolCalls"]] == ["span_figures", "measurement"]
    assert done["toolCalls"][0]["result"]["start_s"] == 1.0 and "key" in done["toolCalls"][1]["result"]
    asked, answered = fake_llm.requests[-2:]
    assert "start_s=1, end_s=4" in asked["messages"][-1]["content"]  # the range reached the model
    tool_results = [json.loads(m["content"]) for m in answered["messages"] if m["role"] == "tool"]
    assert tool_results == [c["result"] for c in done["toolCalls"]]
    assert all(r["temperature"] == 0.2 and r["max_tokens"] == 900 for r in fake_llm.requests)
