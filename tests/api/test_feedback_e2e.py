"""End to end through GraphQL on a live server, with each engine (builtin, and openai pointed at the fake server):
upload → analysed → requestFeedback streamed over graphql-transport-ws → five follow-ups → a summary exists →
history paginates → an injected model failure keeps the question, and retryMessage completes the answer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from api.settings import Settings
from tests.api.ready_track import ready_track
from tests.fakes.llm_fixtures import TEST_API_KEY, require_loopback
from tests.fakes.openai_server import FakeOpenAIServer, Reply, refused_url
from tests.graphql_client import error_codes, gql, new_token, subscribe, ws_session

MESSAGE_FIELDS = """id role kind status content followupGroup engine model profile feedbackType genre errorCode error
  usage { promptTokens completionTokens latencyMs timeToFirstTokenMs }
  findings { id area severity title measured { key value unit } target { low high unit } timeRanges { startS endS }
             evidence }
  grounding { fullyGrounded traced { text source } untraced { text } }"""
REQUEST = f"""mutation($t: ID!, $g: String, $type: FeedbackType!, $p: FeedbackProfile!) {{
  requestFeedback(input: {{trackId: $t, genre: $g, type: $type, profile: $p}}) {{ {MESSAGE_FIELDS} sessionId }} }}"""
ASK = f"""mutation($s: ID!, $q: String!) {{
  askFollowup(input: {{sessionId: $s, question: $q}}) {{ {MESSAGE_FIELDS} }} }}"""
RETRY = f"mutation($id: ID!) {{ retryMessage(id: $id) {{ {MESSAGE_FIELDS} }} }}"
STREAM = f"""subscription($id: ID!) {{
  messageStream(messageId: $id) {{ messageId delta done message {{ {MESSAGE_FIELDS} }} }} }}"""
HISTORY = """query($s: ID!, $after: String) { session(id: $s) { messages(first: 4, after: $after) {
  edges { cursor node { id role kind status content } } pageInfo { hasNextPage endCursor } } } }"""
QUESTIONS = [
    "what about the low end?",
    "what happens at 0:05?",
    "is it loud enough for spotify?",
    "how do I fix the clipping?",
    "and the stereo image?",
]


@pytest.fixture(params=["builtin", "openai"])
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer().start()
    server.reply_fn = _scripted_reply
    yield server
    server.stop()


def _scripted_reply(body: dict[str, Any]) -> Reply:
    """Like a model, but deterministic: answers depend on what the prompt asks for."""
    system = body["messages"][0]["content"]
    if "keep the notes" in system:
        return Reply(text="Asked about low end, timing, loudness and clipping.")
    if len(body["messages"]) == 2:
        return Reply(text="1. Clipping.\n   Fix: lower the mix bus.\n2. Low end.\n   Fix: mono below 120 Hz.")
    return Reply(text=f"About that: {body['messages'][-1]['content']} Check it at 0:05.")


def _settings(base: Settings, engine: str, fake: FakeOpenAIServer | None, *, url: str | None = None) -> Settings:
    if engine == "builtin":
        return base.model_copy(update={"llm": "builtin", "summary_every": 4})
    target = url or (fake.url if fake else None)
    require_loopback(target)
    return base.model_copy(
        update={
            "llm": "openai",
            "openai_base_url": target,
            "openai_api_key": SecretStr(TEST_API_KEY),
            "openai_model": "fake-gpt",
            "llm_max_retries": 0,
            "llm_timeout_s": 10.0,
            "llm_chunk_timeout_s": 5.0,
            "summary_every": 4,
        }
    )


async def _follow(base_url: str, token: str, message_id: str) -> tuple[str, dict[str, Any]]:
    """Stream one message over graphql-transport-ws; returns the concatenated deltas and the final message."""
    deltas: list[str] = []
    final: dict[str, Any] = {}
    async with ws_session(base_url, token=token) as ws:
        async for frame in subscribe(ws, STREAM, {"id": message_id}):
            assert frame["type"] != "error", frame
            if frame["type"] == "next":
                event = frame["payload"]["data"]["messageStream"]
                assert event["messageId"] == message_id and not final
                if event["done"]:
                    final = event["message"]
                    deltas = deltas or [event["delta"]]  # already finished: one event carries the whole text
                else:
                    deltas.append(event["delta"])
    return "".join(deltas), final


async def _history(http: httpx.AsyncClient, token: str, session_id: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await gql(http, HISTORY, {"s": session_id, "after": after}, token=token))["data"]["session"]["messages"]
        assert len(page["edges"]) <= 4
        nodes.extend(edge["node"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


async def test_feedback_end_to_end(
    engine: str, settings: Settings, live_server: Callable[[Settings], Any], fake_llm: FakeOpenAIServer
) -> None:
    server = live_server(_settings(settings, engine, fake_llm))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
        track_id = await ready_track(http, token, seconds=8, amplitude=1.0)
        variables = {"t": track_id, "g": "Hip Hop", "type": "MIXDOWN", "p": "PRO"}
        first = (await gql(http, REQUEST, variables, token=token))["data"]["requestFeedback"]
        assert first["status"] == "STREAMING" and first["role"] == "ASSISTANT" and first["kind"] == "FEEDBACK"
        assert first["findings"] and first["findings"][0]["severity"] in ("CRITICAL", "MAJOR")
        streamed, done = await _follow(server.url, token, first["id"])
        assert done["status"] == "COMPLETE" and streamed == done["content"] and done["content"]
        assert done["engine"] == engine and done["usage"]["latencyMs"] is not None
        assert done["usage"]["promptTokens"] and done["usage"]["timeToFirstTokenMs"] is not None
        assert done["grounding"]["fullyGrounded"] is True
        session_id = first["sessionId"]

        for question in QUESTIONS:
            answer = (await gql(http, ASK, {"s": session_id, "q": question}, token=token))["data"]["askFollowup"]
            assert answer["status"] == "STREAMING" and answer["followupGroup"] == first["id"]
            _, answered = await _follow(server.url, token, answer["id"])
            assert answered["status"] == "COMPLETE" and answered["profile"] == "PRO" and answered["genre"] == "Hip Hop"

        for _ in range(100):  # the summary is generated in the background after the 4th answer
            history = await _history(http, token, session_id)
            if any(m["kind"] == "SUMMARY" and m["status"] == "COMPLETE" for m in history):
                break
            await asyncio.sleep(0.05)
        kinds = [(m["role"], m["kind"]) for m in history]
        assert kinds.count(("USER", "FOLLOWUP")) == 5 and kinds.count(("ASSISTANT", "FOLLOWUP")) == 5
        assert kinds.count(("SUMMARY", "SUMMARY")) == 1 and kinds[0] == ("ASSISTANT", "FEEDBACK")
        assert [m["content"] for m in history if m["role"] == "USER"] == QUESTIONS
        assert len({m["id"] for m in history}) == len(history)  # pages neither repeat nor skip
        if engine == "openai":
            prompts = [r["messages"] for r in fake_llm.requests if "keep the notes" not in r["messages"][0]["content"]]
            assert len(prompts) == 6 and all(
                "Hip-Hop" in p[0]["content"] and "terse and technical" in p[0]["content"] for p in prompts
            )
            assert TEST_API_KEY not in json.dumps(history)


async def test_feedback_failure_keeps_question_and_retry_completes(
    engine: str, settings: Settings, live_server: Callable[[Settings], Any], fake_llm: FakeOpenAIServer
) -> None:
    healthy = live_server(_settings(settings, engine, fake_llm))
    async with httpx.AsyncClient(base_url=healthy.url, timeout=60) as http:
        token = await new_token(http)
        track_id = await ready_track(http, token, seconds=8, amplitude=1.0)
        variables = {"t": track_id, "g": "techno", "type": "MASTERING", "p": "SIMPLE"}
        first = (await gql(http, REQUEST, variables, token=token))["data"]["requestFeedback"]
        await _follow(healthy.url, token, first["id"])
    healthy.stop()

    broken = live_server(_settings(settings, "openai", None, url=refused_url()))  # the model server is down
    async with httpx.AsyncClient(base_url=broken.url, timeout=60) as http:
        answer = await gql(http, ASK, {"s": first["sessionId"], "q": "what about the kick?"}, token=token)
        _, failed = await _follow(broken.url, token, answer["data"]["askFollowup"]["id"])
        assert failed["status"] == "FAILED" and failed["errorCode"] == "LLM_UNAVAILABLE" and failed["error"]
        assert TEST_API_KEY not in json.dumps(failed)
        complete_retry = await gql(http, RETRY, {"id": first["id"]}, token=token)
        assert error_codes(complete_retry) == ["BAD_USER_INPUT"]  # only FAILED messages can be retried
    broken.stop()

    restored = live_server(_settings(settings, engine, fake_llm))
    async with httpx.AsyncClient(base_url=restored.url, timeout=60) as http:
        history = await _history(http, token, first["sessionId"])
        assert [m["content"] for m in history if m["role"] == "USER"] == ["what about the kick?"]
        retried = (await gql(http, RETRY, {"id": failed["id"]}, token=token))["data"]["retryMessage"]
        assert retried["status"] == "STREAMING" and retried["id"] == failed["id"] and retried["errorCode"] is None
        _, done = await _follow(restored.url, token, failed["id"])
        assert done["status"] == "COMPLETE" and done["engine"] == engine and done["content"]


async def test_track_findings_query_and_bad_input(settings: Settings, live_server: Callable[[Settings], Any]) -> None:
    server = live_server(settings.model_copy(update={"llm": "builtin"}))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
        track_id = await ready_track(http, token, seconds=8, amplitude=1.0)
        query = """query($id: ID!, $g: String) { track(id: $id) {
          findings(genre: $g, type: MASTER_REVIEW) { type genre { genre matched note } findings { id severity } } } }"""
        known = (await gql(http, query, {"id": track_id, "g": "drum n bass"}, token=token))["data"]["track"]["findings"]
        assert known["type"] == "MASTER_REVIEW" and known["genre"] == {
            "genre": "drum-and-bass",
            "matched": True,
            "note": None,
        }
        assert known["findings"][0]["severity"] == "CRITICAL"
        unknown = (await gql(http, query, {"id": track_id, "g": "sea shanty"}, token=token))["data"]["track"][
            "findings"
        ]
        assert unknown["genre"]["genre"] == "general" and not unknown["genre"]["matched"] and unknown["genre"]["note"]
        bad = await gql(
            http,
            "mutation($t: ID!) { requestFeedback(input: {trackId: $t, type: LOUD}) { id } }",
            {"t": track_id},
            token=token,
        )
        assert error_codes(bad) == ["BAD_USER_INPUT"] and "MIXDOWN" in json.dumps(bad["errors"])


async def test_message_stream_errors_carry_codes(settings: Settings, live_server: Callable[[Settings], Any]) -> None:
    server = live_server(settings.model_copy(update={"llm": "builtin"}))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        owner, stranger = await new_token(http), await new_token(http)
        track_id = await ready_track(http, owner, seconds=8, amplitude=1.0)
        variables = {"t": track_id, "g": "rock", "type": "MASTERING", "p": "DETAILED"}
        message = (await gql(http, REQUEST, variables, token=owner))["data"]["requestFeedback"]
        async with ws_session(server.url, token=stranger) as ws:
            frames = [frame async for frame in subscribe(ws, STREAM, {"id": message["id"]})]
        errors = [f["payload"] if f["type"] == "error" else f.get("payload", {}).get("errors") or [] for f in frames]
        codes = [e["extensions"]["code"] for batch in errors for e in batch]
        assert codes == ["NOT_FOUND"]
        foreign_retry = await gql(http, RETRY, {"id": message["id"]}, token=stranger)
        assert error_codes(foreign_retry) == ["NOT_FOUND"]
        streamed, done = await _follow(server.url, owner, message["id"])
        assert done["status"] == "COMPLETE" and streamed == done["content"]
