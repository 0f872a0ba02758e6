"""One WebSocket cannot hold more operations than the limit; the one over it gets a typed error and the rest go on."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from api.graphql_view import MAX_SUBSCRIPTIONS_PER_CONNECTION
from api.settings import Settings
from tests.api.ready_track import ready_track
from tests.fakes.llm_fixtures import TEST_API_KEY, require_loopback
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.graphql_client import gql, new_token, ws_session

STREAM = "subscription($id: ID!) { messageStream(messageId: $id) { delta done } }"
REQUEST = "mutation($t: ID!) { requestFeedback(input: {trackId: $t}) { id } }"


@pytest.fixture
def stalled_llm() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer().start()
    server.reply_fn = lambda _body: Reply(text="one two three", stall_after=1, stall_s=20.0)
    yield server
    server.stop()


async def test_subscriptions_over_the_limit_get_quota_exceeded(
    live_server: Callable[[Settings], Any], settings: Settings, stalled_llm: FakeOpenAIServer
) -> None:
    require_loopback(stalled_llm.url)
    configured = settings.model_copy(
        update={"llm": "openai", "openai_base_url": stalled_llm.url, "openai_api_key": SecretStr(TEST_API_KEY)}
    )
    base = live_server(configured).url
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        token = await new_token(http)
        track_id = await ready_track(http, token)
        message_id = (await gql(http, REQUEST, {"t": track_id}, token=token))["data"]["requestFeedback"]["id"]
        async with ws_session(base, token=token) as ws:
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            for n in range(MAX_SUBSCRIPTIONS_PER_CONNECTION + 1):
                payload = {"query": STREAM, "variables": {"id": message_id}}
                await ws.send(json.dumps({"id": str(n), "type": "subscribe", "payload": payload}))
            errors: list[dict[str, Any]] = []
            while not errors:
                frame = json.loads(await ws.recv())
                if frame["type"] == "error":
                    errors.append(frame)
                else:
                    assert frame["type"] == "next" and frame["payload"]["data"]["messageStream"]["done"] is False
    assert errors[0]["id"] == str(MAX_SUBSCRIPTIONS_PER_CONNECTION)
    assert errors[0]["payload"][0]["extensions"]["code"] == "QUOTA_EXCEEDED"
    assert str(MAX_SUBSCRIPTIONS_PER_CONNECTION) in errors[0]["payload"][0]["message"]
