"""A generation whose message row disappears without ``abandon`` being called (a deletion racing the start of the
task, or made by another path) stops at its next flush and ends its subscribers with NOT_FOUND."""

from __future__ import annotations

import asyncio
import logging

import pytest

from services import domain
from services.runtime.streams import MessageEvent
from services.store import sessions as session_store
from tests.fakes.feedback_fixtures import make_feedback, make_owner, make_ready_track
from tests.fakes.llm_fixtures import ProviderFactory
from tests.fakes.openai_server import FakeOpenAIServer, Reply

pytestmark = pytest.mark.usefixtures("feedback_db")


async def test_generation_stops_when_its_message_row_vanishes(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    owner = await make_owner()
    track = await make_ready_track(owner)
    feedback = make_feedback(openai_provider(chunk_timeout_s=30.0), flush_interval_s=0.0)
    fake_openai.push(Reply(text="word " * 1000, chunk_delay_s=0.02))
    message = await feedback.request(
        owner_id=owner.id,
        track_id=track.id,
        session_id=None,
        genre="rock",
        stage=domain.FeedbackType.MIXDOWN,
        profile=domain.FeedbackProfile.DETAILED,
    )
    events: list[MessageEvent] = []
    streaming = asyncio.Event()

    async def follow() -> None:
        async for event in feedback.stream(owner_id=owner.id, message_id=message.id):
            events.append(event)
            if event.delta:
                streaming.set()

    following = asyncio.create_task(follow())
    await streaming.wait()
    await session_store.delete_session(owner_id=owner.id, session_id=message.session_id)  # no abandon()

    await asyncio.wait_for(following, timeout=60)  # a bound for a broken build, not a timing assertion
    await feedback.generation.idle()
    last = events[-1]
    assert last.done and last.message is None and last.error_code == "NOT_FOUND" and last.error
    for _ in range(500):  # the fake server, in its own thread, notices the hang-up a moment later
        if fake_openai.streams[0].ended is not None:
            break
        await asyncio.sleep(0.02)
    assert fake_openai.streams[0].ended == "closed" and fake_openai.streams[0].sent < 500
    assert [r.getMessage() for r in caplog.records if "deleted" in r.getMessage()] == [
        f"message {message.id}: generation stopped, deleted while streaming ({last.error})"
    ]
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
