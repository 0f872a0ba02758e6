"""Graceful shutdown drains in-flight work: a server asked to stop while an answer streams lets it finish (within
``MIXCOACH_SHUTDOWN_GRACE_S``) instead of marking it INTERRUPTED; with no grace it is interrupted, as before.
The next server on the same database then finds the answer as the first one left it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import httpx
import pytest
from pydantic import SecretStr

from api.settings import Settings
from tests.api.ready_track import ready_track
from tests.conftest import _ServerThread
from tests.fakes.llm_fixtures import TEST_API_KEY
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.graphql_client import gql, new_token

REQUEST = "mutation($t: ID!) { requestFeedback(input: {trackId: $t}) { id } }"
MESSAGE = "query($id: ID!) { message(id: $id) { status errorCode content } }"
WORDS = 30  # at 50 ms a chunk: 1.5 s of streaming


@pytest.fixture
def fake() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer().start()
    server.reply_fn = lambda body: Reply(text=" ".join(f"w{i}" for i in range(WORDS)), chunk_delay_s=0.05)
    yield server
    server.stop()


@pytest.mark.parametrize(("grace_s", "status"), [(30.0, "COMPLETE"), (0.0, "FAILED")])
async def test_graceful_shutdown_lets_a_streaming_answer_finish(
    live_server: Callable[[Settings], _ServerThread],
    settings: Settings,
    fake: FakeOpenAIServer,
    grace_s: float,
    status: str,
) -> None:
    settings = settings.model_copy(
        update={
            "llm": "openai",
            "openai_base_url": fake.url,
            "openai_api_key": SecretStr(TEST_API_KEY),
            "llm_max_retries": 0,
            "shutdown_grace_s": grace_s,
        }
    )
    first = live_server(settings)
    async with httpx.AsyncClient(base_url=first.url, timeout=60) as http:
        token = await new_token(http)
        track_id = await ready_track(http, token)
        message_id = (await gql(http, REQUEST, {"t": track_id}, token=token))["data"]["requestFeedback"]["id"]
        for _ in range(400):  # the model is streaming
            if fake.streams and fake.streams[0].sent >= 2:
                break
            await asyncio.sleep(0.01)
    await asyncio.to_thread(first.stop)  # uvicorn's shutdown, then the lifespan's drain

    second = live_server(settings)
    async with httpx.AsyncClient(base_url=second.url, timeout=60) as http:
        message = (await gql(http, MESSAGE, {"id": message_id}, token=token))["data"]["message"]
    assert message["status"] == status, message
    if status == "COMPLETE":
        assert message["content"].split() == [f"w{i}" for i in range(WORDS)]
    else:
        assert message["errorCode"] == "INTERRUPTED"
    assert len(fake.requests) == 1
