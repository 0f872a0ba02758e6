"""Live answers' partial text reaches the database on the shared flush timer, for every stream at once, even while
the model has gone quiet (no token arrives to trigger a write), and the last flush never outlives the final text."""

from __future__ import annotations

import asyncio

import pytest

from services import domain
from services.store import messages as message_store
from tests.fakes.feedback_fixtures import make_feedback, make_owner, make_ready_track
from tests.fakes.llm_fixtures import ProviderFactory
from tests.fakes.openai_server import FakeOpenAIServer, Reply

pytestmark = pytest.mark.usefixtures("feedback_db")


async def test_every_quiet_stream_is_flushed_and_the_final_text_wins(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    owner = await make_owner()
    track = await make_ready_track(owner)
    feedback = make_feedback(openai_provider(chunk_timeout_s=30.0), flush_interval_s=0.05)
    for _ in range(2):
        fake_openai.push(Reply(text="one two three four five six seven", stall_after=3, stall_s=20.0))
    messages = [
        await feedback.request(
            owner_id=owner.id,
            track_id=track.id,
            session_id=None,
            genre="rock",
            stage=domain.FeedbackType.MIXDOWN,
            profile=domain.FeedbackProfile.SIMPLE,
        )
        for _ in range(2)
    ]

    async def stored(message: domain.Message) -> domain.Message:
        return await message_store.get_message(owner_id=owner.id, message_id=message.id)

    for message in messages:  # both models went quiet after three words; the timer still wrote them
        for _ in range(1500):  # a bound for a broken build, not a timing assertion
            if (await stored(message)).content == "one two three":
                break
            await asyncio.sleep(0.02)
        assert (await stored(message)).content == "one two three"
        assert (await stored(message)).status is domain.MessageStatus.STREAMING

    await feedback.generation.close()
    for message in messages:
        ended = await stored(message)
        assert ended.status is domain.MessageStatus.FAILED and ended.content == "one two three"
    await asyncio.sleep(0.15)  # a few flush intervals later nothing has rewritten the final rows
    assert [(await stored(m)).content for m in messages] == ["one two three", "one two three"]
