"""Per-client generation quotas over a live server: each limit refuses with its code and a retryAfterS, the
refused call writes nothing, another client is unaffected, and 100 parallel requestFeedback calls are bounded."""

from __future__ import annotations

import asyncio
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

REQUEST = """mutation($t: ID!) {
  requestFeedback(input: {trackId: $t, type: MIXDOWN, profile: SIMPLE}) { id status sessionId } }"""
ASK = "mutation($s: ID!, $q: String!) { askFollowup(input: {sessionId: $s, question: $q}) { id status } }"
RETRY = "mutation($id: ID!) { retryMessage(id: $id) { id status } }"
STREAM = "subscription($id: ID!) { messageStream(messageId: $id) { done message { status } } }"
SESSIONS = "{ sessions(first: 100) { edges { node { id } } } }"
MESSAGES = "query($s: ID!) { session(id: $s) { messages(first: 50) { edges { node { role status } } } } }"


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer().start()
    yield server
    server.stop()


def _openai(settings: Settings, fake: FakeOpenAIServer, **limits: int) -> Settings:
    require_loopback(fake.url)
    return settings.model_copy(
        update={
            "llm": "openai",
            "openai_base_url": fake.url,
            "openai_api_key": SecretStr(TEST_API_KEY),
            "llm_max_retries": 0,
            "llm_timeout_s": 600.0,
            "llm_chunk_timeout_s": 600.0,
            **limits,
        }
    )


async def _finished(base_url: str, token: str, message_id: str) -> str:
    """Follow a message until its final event; returns its final status."""
    status = ""
    async with ws_session(base_url, token=token) as ws:
        async for frame in subscribe(ws, STREAM, {"id": message_id}):
            event = (frame.get("payload") or {}).get("data", {}).get("messageStream") or {}
            if event.get("done"):
                status = event["message"]["status"]
    return status


async def _session_count(http: httpx.AsyncClient, token: str) -> int:
    return len((await gql(http, SESSIONS, token=token))["data"]["sessions"]["edges"])


def _refusal(body: dict[str, Any], code: str) -> dict[str, Any]:
    assert error_codes(body) == [code], body
    error: dict[str, Any] = body["errors"][0]
    return error


@pytest.mark.parametrize(
    ("limit", "period", "window_s"),
    [("generations_per_hour", "in the last hour", 3600), ("generations_per_day", "in the last 24 hours", 86400)],
)
async def test_quota_generations_refused_before_any_write_and_per_client(
    settings: Settings, live_server: Callable[[Settings], Any], limit: str, period: str, window_s: int
) -> None:
    server = live_server(settings.model_copy(update={"llm": "builtin", limit: 2}))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token, other = await new_token(http), await new_token(http)
        track = await ready_track(http, token)
        for _ in range(2):
            message = (await gql(http, REQUEST, {"t": track}, token=token))["data"]["requestFeedback"]
            assert await _finished(server.url, token, message["id"]) == "COMPLETE"
        refused = _refusal(await gql(http, REQUEST, {"t": track}, token=token), "QUOTA_EXCEEDED")
        assert 0 < refused["extensions"]["retryAfterS"] <= window_s
        assert f"You have started 2 answers {period}; the limit is 2. Try again in" in refused["message"]
        assert await _session_count(http, token) == 2  # the refused call did not open a session
        other_track = await ready_track(http, other)
        accepted = await gql(http, REQUEST, {"t": other_track}, token=other)
        assert accepted["data"]["requestFeedback"]["status"] == "STREAMING"


async def test_quota_refused_followup_stores_no_question(
    settings: Settings, live_server: Callable[[Settings], Any]
) -> None:
    """Refusing before the write is right: the user gets the error and still has the text to send later."""
    server = live_server(settings.model_copy(update={"llm": "builtin", "generations_per_hour": 2}))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
        track = await ready_track(http, token)
        feedback = (await gql(http, REQUEST, {"t": track}, token=token))["data"]["requestFeedback"]
        await _finished(server.url, token, feedback["id"])
        answer = (await gql(http, ASK, {"s": feedback["sessionId"], "q": "and the bass?"}, token=token))["data"]
        await _finished(server.url, token, answer["askFollowup"]["id"])
        refused = await gql(http, ASK, {"s": feedback["sessionId"], "q": "and the kick?"}, token=token)
        assert _refusal(refused, "QUOTA_EXCEEDED")["extensions"]["retryAfterS"] > 0
        history = await gql(http, MESSAGES, {"s": feedback["sessionId"]}, token=token)
        roles = [edge["node"]["role"] for edge in history["data"]["session"]["messages"]["edges"]]
        assert roles.count("USER") == 1 and len(roles) == 3  # feedback, question, answer: nothing more


async def test_quota_retry_is_a_generation_too(
    settings: Settings, live_server: Callable[[Settings], Any], fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.push(Reply(status=500))
    server = live_server(_openai(settings, fake_llm, generations_per_hour=1))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
        track = await ready_track(http, token)
        feedback = (await gql(http, REQUEST, {"t": track}, token=token))["data"]["requestFeedback"]
        assert await _finished(server.url, token, feedback["id"]) == "FAILED"
        refused = await gql(http, RETRY, {"id": feedback["id"]}, token=token)
        assert "the limit is 1" in _refusal(refused, "QUOTA_EXCEEDED")["message"]
        assert await _finished(server.url, token, feedback["id"]) == "FAILED"  # not restarted
        assert len(fake_llm.requests) == 1


async def test_quota_hundred_parallel_requests_are_bounded_by_concurrency(
    settings: Settings, live_server: Callable[[Settings], Any], fake_llm: FakeOpenAIServer
) -> None:
    """Default limits; every answer stalls, so only ``concurrent_generations`` (3) may be admitted, even when the
    100 calls race each other (the admission is one transaction per client)."""
    fake_llm.reply_fn = lambda body: Reply(stall_after=0, stall_s=120.0)
    server = live_server(_openai(settings, fake_llm))
    async with httpx.AsyncClient(base_url=server.url, timeout=120) as http:
        token, other = await new_token(http), await new_token(http)
        track, other_track = await ready_track(http, token), await ready_track(http, other)
        bodies = await asyncio.gather(*(gql(http, REQUEST, {"t": track}, token=token) for _ in range(100)))
        accepted = [b for b in bodies if not b.get("errors")]
        refused = [_refusal(b, "RATE_LIMITED") for b in bodies if b.get("errors")]
        assert len(accepted) == 3 and len(refused) == 97
        assert {error["extensions"]["retryAfterS"] for error in refused} == {10}
        assert "You have 3 answers being written right now; the limit is 3 at a time." in refused[0]["message"]
        assert await _session_count(http, token) == 3
        assert (await gql(http, REQUEST, {"t": other_track}, token=other))["data"]["requestFeedback"]["id"]


async def test_quota_defaults_leave_a_conversation_with_the_builtin_engine_alone(
    settings: Settings, live_server: Callable[[Settings], Any]
) -> None:
    server = live_server(settings.model_copy(update={"llm": "builtin"}))  # every limit at its default
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
        track = await ready_track(http, token)
        feedback = (await gql(http, REQUEST, {"t": track}, token=token))["data"]["requestFeedback"]
        assert await _finished(server.url, token, feedback["id"]) == "COMPLETE"
        for question in ("and the bass?", "and the kick?", "is it loud enough?"):
            answer = await gql(http, ASK, {"s": feedback["sessionId"], "q": question}, token=token)
            assert await _finished(server.url, token, answer["data"]["askFollowup"]["id"]) == "COMPLETE"
