"""Deleting a session or a track while its answer streams: the generation stops (the model stream is closed, so no
more tokens are spent), every ``messageStream`` subscriber gets a last event with ``done`` and ``NOT_FOUND``, and
the server logs one line about it, with no traceback. Live server, real WebSockets, the fake OpenAI server
streaming slowly."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from api.settings import Settings
from tests.api.ready_track import ready_track
from tests.fakes.llm_fixtures import TEST_API_KEY, require_loopback
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.graphql_client import gql, new_token, subscribe, ws_session

REQUEST = """mutation($t: ID!) { requestFeedback(input: {trackId: $t, genre: "rock"}) { id sessionId } }"""
ASK = """mutation($s: ID!) { askFollowup(input: {sessionId: $s, question: "and the low end?"}) { id } }"""
STREAM = """subscription($id: ID!) {
  messageStream(messageId: $id) { messageId delta done errorCode error message { id status } } }"""
DELETE = {
    "session": ("mutation($id: ID!) { deleteSession(id: $id) }", "sessionId"),
    "track": ("mutation($id: ID!) { deleteTrack(id: $id) }", "trackId"),
}
SLOW_WORDS = 2000  # at 20 ms a chunk: 40 s, far longer than the test needs to delete mid-stream
SUBSCRIBERS = 2


@pytest.fixture
def slow_llm() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer().start()
    server.reply_fn = lambda body: (
        Reply(text="Done.") if len(body["messages"]) > 2 else Reply(text="word " * SLOW_WORDS, chunk_delay_s=0.02)
    )
    yield server
    server.stop()


@contextmanager
def _server_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Capture what the (already started) server logs at INFO and above, uvicorn's records too (its loggers do not
    propagate to the root). Started after the server, whose logging set-up would otherwise reset the capture."""
    caplog.set_level(logging.INFO)
    uvicorn_logger = logging.getLogger("uvicorn")
    uvicorn_logger.addHandler(caplog.handler)
    try:
        yield
    finally:
        uvicorn_logger.removeHandler(caplog.handler)


def _openai(settings: Settings, fake: FakeOpenAIServer) -> Settings:
    require_loopback(fake.url)
    return settings.model_copy(
        update={
            "llm": "openai",
            "openai_base_url": fake.url,
            "openai_api_key": SecretStr(TEST_API_KEY),
            "openai_model": "fake-gpt",
            "llm_max_retries": 0,
        }
    )


async def _started(stream: AsyncIterator[dict[str, Any]]) -> dict[str, Any]:
    """The first event carrying text: the answer is streaming when this returns."""
    async for frame in stream:
        assert frame["type"] == "next", frame
        event: dict[str, Any] = frame["payload"]["data"]["messageStream"]
        assert not event["done"], event
        if event["delta"]:
            return event
    raise AssertionError("the stream ended before any text")


async def _rest(stream: AsyncIterator[dict[str, Any]]) -> list[dict[str, Any]]:
    return [frame async for frame in stream]


async def _stream_closed(fake: FakeOpenAIServer, index: int = 0) -> None:
    """Wait (bounded) until the fake server, in its own thread, has seen the stream end."""
    for _ in range(500):  # generous: the close is immediate, this only bounds a broken build
        if fake.streams and fake.streams[index].ended is not None:
            return
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("deleted", ["session", "track"])
async def test_delete_while_streaming_cancels_and_ends_every_subscriber(
    deleted: str,
    settings: Settings,
    live_server: Callable[[Settings], Any],
    slow_llm: FakeOpenAIServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = live_server(_openai(settings, slow_llm))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http, AsyncExitStack() as stack:
        stack.enter_context(_server_logs(caplog))
        token = await new_token(http)
        track_id = await ready_track(http, token, seconds=3)
        message = (await gql(http, REQUEST, {"t": track_id}, token=token))["data"]["requestFeedback"]
        streams = []
        for _ in range(SUBSCRIBERS):
            ws = await stack.enter_async_context(ws_session(server.url, token=token))
            streams.append(subscribe(ws, STREAM, {"id": message["id"]}))
        for stream in streams:
            await _started(stream)

        mutation, key = DELETE[deleted]
        ids = {"sessionId": message["sessionId"], "trackId": track_id}
        assert (await gql(http, mutation, {"id": ids[key]}, token=token))["data"] == {f"delete{deleted.title()}": True}
        endings = await asyncio.gather(*(_rest(stream) for stream in streams))
        await _stream_closed(slow_llm)

    for frames in endings:
        assert frames[-1]["type"] == "complete", frames[-1]
        events = [f["payload"]["data"]["messageStream"] for f in frames if f["type"] == "next"]
        assert all(not e["done"] for e in events[:-1]) and events[-1]["done"] is True
        assert events[-1]["errorCode"] == "NOT_FOUND" and events[-1]["message"] is None
        assert f"{deleted} was deleted" in events[-1]["error"]
    record = slow_llm.streams[0]
    assert record.ended == "closed" and record.sent < record.planned // 2, record  # no more tokens are spent
    logged = [r for r in caplog.records if "deleted" in r.getMessage() and r.name.startswith("services")]
    assert len(logged) == 1 and logged[0].levelno == logging.INFO, [r.getMessage() for r in logged]
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_delete_while_a_followup_streams_ends_it_too(
    settings: Settings, live_server: Callable[[Settings], Any], slow_llm: FakeOpenAIServer
) -> None:
    """The same for an answer to a follow-up question (the feedback itself finished first)."""
    slow_llm.push(Reply(text="1. Clipping.\n   Fix: lower the mix bus."))
    server = live_server(_openai(settings, slow_llm))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
        track_id = await ready_track(http, token, seconds=3)
        feedback = (await gql(http, REQUEST, {"t": track_id}, token=token))["data"]["requestFeedback"]
        async with ws_session(server.url, token=token) as ws:
            assert [f["type"] async for f in subscribe(ws, STREAM, {"id": feedback["id"]})][-1] == "complete"
        slow_llm.reply_fn = lambda body: Reply(text="word " * SLOW_WORDS, chunk_delay_s=0.02)
        answer = (await gql(http, ASK, {"s": feedback["sessionId"]}, token=token))["data"]["askFollowup"]
        async with ws_session(server.url, token=token) as ws:
            stream = subscribe(ws, STREAM, {"id": answer["id"]})
            await _started(stream)
            await gql(http, DELETE["session"][0], {"id": feedback["sessionId"]}, token=token)
            frames = await _rest(stream)
        await _stream_closed(slow_llm, -1)
    last = frames[-2]["payload"]["data"]["messageStream"]
    assert last["done"] and last["errorCode"] == "NOT_FOUND" and frames[-1]["type"] == "complete"
    assert slow_llm.streams[-1].ended == "closed"


async def test_client_dropping_mid_stream_logs_no_error_and_the_answer_goes_on(
    settings: Settings,
    live_server: Callable[[Settings], Any],
    slow_llm: FakeOpenAIServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A socket that vanishes mid-subscription is ordinary: no ERROR, no traceback, and generation continues."""
    server = live_server(_openai(settings, slow_llm))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http, AsyncExitStack() as stack:
        stack.enter_context(_server_logs(caplog))
        token = await new_token(http)
        track_id = await ready_track(http, token, seconds=3)
        message = (await gql(http, REQUEST, {"t": track_id}, token=token))["data"]["requestFeedback"]
        for vanish in (True, False, True):
            async with ws_session(server.url, token=token) as ws:
                await _started(subscribe(ws, STREAM, {"id": message["id"]}))
                if vanish:
                    ws.transport.abort()  # no close frame: the client just vanishes
                else:
                    await ws.close()  # a close frame, but no `complete` for the subscription
        async with ws_session(server.url, token=token) as ws:
            await _started(subscribe(ws, STREAM, {"id": message["id"]}))  # still generating
    assert slow_llm.streams[0].ended is None  # the model stream was never closed by the drops
    assert any("prompt" in r.getMessage() for r in caplog.records)  # the server's log is being captured
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR], [
        r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR
    ]
