"""The same API test of live events and limits in both runtime modes: embedded (this process) and Redis.

Through a live server: analysis progress arrives over ``trackEvents`` until READY; an answer streamed from a model
that sends its reply in small timed chunks arrives over ``messageStream`` with every delta once and in order, and
the stored text equals the streamed text; a second subscriber joining mid-way gets the text so far, then the rest;
and the ``createClient`` limit admits exactly its limit.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from api.settings import Settings
from tests.api.ready_track import ready_track
from tests.conftest import drop_redis_prefix, redis_url_or_skip
from tests.fakes.llm_fixtures import TEST_API_KEY
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.graphql_client import CREATE_CLIENT, error_codes, gql, new_token, subscribe, ws_session

CHUNKS = [f"word{i} " for i in range(40)]
REQUEST = """mutation($t: ID!) {
  requestFeedback(input: {trackId: $t, type: MIXDOWN, profile: SIMPLE}) { id sessionId } }"""
ASK = """mutation($s: ID!) { askFollowup(input: {sessionId: $s, question: "and the low end?"}) { id } }"""
SESSION_EVENTS = """subscription($id: ID!) { sessionEvents(sessionId: $id) { kind messageId role status } }"""
STREAM = """subscription($id: ID!) { messageStream(messageId: $id) { delta done message { status content } } }"""
STORED = """query($id: ID!) { message(id: $id) { status content } }"""


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer().start()
    server.reply_fn = lambda body: Reply(chunks=CHUNKS, chunk_delay_s=0.05)
    yield server
    server.stop()


@pytest.fixture(params=["embedded", "redis"])
async def mode_settings(
    request: pytest.FixtureRequest, settings: Settings, fake_llm: FakeOpenAIServer, redis_prefix: str
) -> AsyncIterator[Settings]:
    update: dict[str, Any] = {
        "llm": "openai",
        "openai_base_url": fake_llm.url,
        "openai_api_key": SecretStr(TEST_API_KEY),
        "openai_model": "fake-gpt",
        "llm_max_retries": 0,
        "create_client_per_minute": 3,
    }
    if request.param == "embedded":
        yield settings.model_copy(update=update)
        return
    url = redis_url_or_skip()
    yield settings.model_copy(update=update | {"redis_url": url, "redis_prefix": redis_prefix})
    await drop_redis_prefix(url, redis_prefix)


async def follow(base_url: str, token: str, message_id: str) -> tuple[list[str], dict[str, Any]]:
    """Every ``delta`` event (the first may be a replay), and the final message."""
    deltas: list[str] = []
    async with ws_session(base_url, token=token) as ws:
        async for frame in subscribe(ws, STREAM, {"id": message_id}):
            assert frame["type"] == "next", frame
            event = frame["payload"]["data"]["messageStream"]
            if event["done"]:
                return deltas, event["message"]
            deltas.append(event["delta"])
    raise AssertionError("the stream completed without a done event")


async def test_live_events_and_limits_in_each_mode(
    mode_settings: Settings, live_server: Callable[[Settings], Any]
) -> None:
    base = live_server(mode_settings).url
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        token = await new_token(http)
        track_id = await ready_track(http, token)  # trackEvents until READY
        requested = (await gql(http, REQUEST, {"t": track_id}, token=token))["data"]["requestFeedback"]
        message_id = requested["id"]
        first = asyncio.create_task(follow(base, token, message_id))
        await asyncio.sleep(0.8)  # a second subscriber joins while the answer is being written
        late = asyncio.create_task(follow(base, token, message_id))
        (deltas, final), (late_deltas, late_final) = await asyncio.gather(first, late)
        stored = (await gql(http, STORED, {"id": message_id}, token=token))["data"]["message"]

        assert final == late_final == stored
        assert stored["status"] == "COMPLETE"
        assert "".join(deltas) == "".join(late_deltas) == stored["content"] == "".join(CHUNKS)
        boundaries = set(itertools.accumulate(len(chunk) for chunk in CHUNKS))
        for seen in (deltas, late_deltas):  # the text so far, then runs of whole deltas (several may share an event)
            assert all(seen) and set(itertools.accumulate(len(delta) for delta in seen)) <= boundaries
        assert len(late_deltas) < len(CHUNKS)  # the late subscriber did join mid-way

        events = await _session_events_of_a_followup(base, http, token, requested["sessionId"])
        answer = events[0]["messageId"]
        assert events == [
            {"kind": "MESSAGE_STARTED", "messageId": answer, "role": "ASSISTANT", "status": "STREAMING"},
            {"kind": "MESSAGE_FINISHED", "messageId": answer, "role": "ASSISTANT", "status": "COMPLETE"},
        ]

        await new_token(http)  # the fixture's client was the first of 3 this minute
        await new_token(http)
        refused = [error_codes(await gql(http, CREATE_CLIENT)) for _ in range(5)]
        assert refused == [["RATE_LIMITED"]] * 5


async def _session_events_of_a_followup(
    base: str, http: httpx.AsyncClient, token: str, session_id: str
) -> list[dict[str, Any]]:
    """``sessionEvents`` while one follow-up is asked and answered."""
    seen: list[dict[str, Any]] = []
    async with ws_session(base, token=token) as ws:
        frames = subscribe(ws, SESSION_EVENTS, {"id": session_id})
        first: asyncio.Task[dict[str, Any]] = asyncio.create_task(_next(frames))
        await asyncio.sleep(0.5)  # subscribed before the question goes out
        asked = await gql(http, ASK, {"s": session_id}, token=token)
        assert not asked.get("errors"), asked
        frame = await asyncio.wait_for(first, 30)
        while True:
            assert frame["type"] == "next", frame
            seen.append(frame["payload"]["data"]["sessionEvents"])
            if seen[-1]["kind"] == "MESSAGE_FINISHED":
                return seen
            frame = await asyncio.wait_for(anext(frames), 30)


async def _next(frames: AsyncIterator[dict[str, Any]]) -> dict[str, Any]:
    return await anext(frames)
