"""An answer streamed by the real SDK from the loopback fake, token by token, reaches every subscriber whole: an early
and a late subscriber's deltas, joined, are the stored text, in order, nothing lost or repeated (the late one's
first event replays what came before it); a chunk of the wrong shape mid-answer ends it FAILED with the text so
far, which is also exactly what the subscriber saw."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from services import domain
from services.coaching.feedback import Feedback
from services.runtime.streams import MessageEvent
from tests.fakes.feedback_fixtures import Owner, make_feedback, make_owner, make_ready_track
from tests.fakes.llm_fixtures import ProviderFactory
from tests.fakes.openai_server import FakeOpenAIServer, Reply

pytestmark = pytest.mark.usefixtures("feedback_db")

TOKENS = [f"t{i} " for i in range(150)]


async def _start(feedback: Feedback, owner: Owner) -> domain.Message:
    track = await make_ready_track(owner)
    return await feedback.request(
        owner_id=owner.id,
        track_id=track.id,
        session_id=None,
        genre="pop",
        stage=domain.FeedbackType.MIXDOWN,
        profile=domain.FeedbackProfile.SIMPLE,
    )


async def _follow(events: AsyncIterator[MessageEvent]) -> tuple[list[str], MessageEvent]:
    """The deltas before the final event, and the final event (whose delta is the whole text when the subscriber
    came after the end, else empty)."""
    deltas: list[str] = []
    async for event in events:
        if event.done:
            return deltas, event
        deltas.append(event.delta)
    raise AssertionError("the stream ended without a final event")


async def test_early_and_late_subscribers_see_the_stored_text_in_order(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    owner = await make_owner()
    feedback = make_feedback(openai_provider())
    fake_openai.push(Reply(chunks=TOKENS, chunk_delay_s=0.004))
    message = await _start(feedback, owner)
    early = asyncio.create_task(_follow(feedback.stream(owner_id=owner.id, message_id=message.id)))
    for _ in range(6000):  # until half the answer is out
        if fake_openai.streams and fake_openai.streams[0].sent >= len(TOKENS) // 2:
            break
        await asyncio.sleep(0.01)
    late = asyncio.create_task(_follow(feedback.stream(owner_id=owner.id, message_id=message.id)))
    (early_deltas, early_end), (late_deltas, late_end) = await asyncio.wait_for(asyncio.gather(early, late), 60)
    stored = await feedback.generation.wait(message.id)
    assert stored.status is domain.MessageStatus.COMPLETE and stored.content == "".join(TOKENS)
    assert "".join(early_deltas) == "".join(late_deltas) == stored.content and all(early_deltas + late_deltas)
    assert len(late_deltas[0]) > len(TOKENS[0])  # the late subscriber's first event replayed the text so far
    assert early_end.message == late_end.message == stored


async def test_a_wrong_shaped_chunk_fails_the_answer_with_what_the_subscriber_saw(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    owner = await make_owner()
    feedback = make_feedback(openai_provider())
    frames = [{"choices": [{"index": 0, "delta": {"content": token}}]} for token in TOKENS[:40]]
    fake_openai.push(Reply(frames=[*frames, {"choices": [{"index": 0, "delta": {"content": ["not", "text"]}}]}]))
    message = await _start(feedback, owner)
    deltas, end = await asyncio.wait_for(_follow(feedback.stream(owner_id=owner.id, message_id=message.id)), 60)
    assert end.message is not None and end.message.status is domain.MessageStatus.FAILED
    assert end.message.error_code == "LLM_BAD_RESPONSE" and end.message.error and "malformed" in end.message.error
    assert end.message.content == "".join([*deltas, end.delta]) == "".join(TOKENS[:40])
