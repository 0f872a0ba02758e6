from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from services import domain
from services.coaching.feedback import Feedback
from services.coaching.grounding import Grounding
from services.errors import BadUserInput, NotFound
from services.store import messages as message_store
from tests.fakes.feedback_fixtures import Owner, make_feedback, make_owner, make_ready_track
from tests.fakes.llm_fixtures import ProviderFactory
from tests.fakes.openai_server import FakeOpenAIServer, Reply

pytestmark = pytest.mark.usefixtures("feedback_db")


async def _request(feedback: Feedback, owner: Owner, track_id: int, **kw: object) -> domain.Message:
    args: dict[str, object] = {
        "session_id": None,
        "genre": "hip hop",
        "stage": domain.FeedbackType.MIXDOWN,
        "profile": domain.FeedbackProfile.PRO,
    } | kw
    return await feedback.request(owner_id=owner.id, track_id=track_id, **args)  # type: ignore[arg-type]


async def _collect(events: AsyncIterator[object]) -> list[object]:
    return [e async for e in events]


async def test_request_feedback_returns_streaming_then_completes_grounded() -> None:
    owner = await make_owner()
    track = await make_ready_track(owner)
    feedback = make_feedback()
    message = await _request(feedback, owner, track.id)
    assert message.status is domain.MessageStatus.STREAMING and message.content == ""
    assert (message.engine, message.model, message.genre) == ("builtin", "mixcoach-builtin-1", "hip hop")
    assert message.followup_group == message.id and message.findings
    assert message.findings[0]["id"] == "clipping.clipped_samples"
    done = await feedback.generation.wait(message.id)
    assert done.status is domain.MessageStatus.COMPLETE and done.content.startswith(
        "What to fix first:\n1. Digital clipping"
    )
    assert done.grounding is not None and Grounding.from_dict(done.grounding).fully_grounded
    assert done.usage.prompt_tokens and done.usage.completion_tokens and done.usage.latency_ms is not None
    assert done.usage.time_to_first_token_ms is not None
    session = await feedback.sessions.get(owner_id=owner.id, session_id=done.session_id)
    assert session.track_id == track.id


async def test_request_feedback_rejects_unready_and_foreign_tracks() -> None:
    owner, stranger = await make_owner(), await make_owner()
    track = await make_ready_track(owner)
    feedback = make_feedback()
    with pytest.raises(NotFound):
        await _request(feedback, stranger, track.id)
    with pytest.raises(BadUserInput, match="another track"):
        first = await _request(feedback, owner, track.id)
        other = await make_ready_track(owner, name="other")
        await _request(feedback, owner, other.id, session_id=first.session_id)
    await feedback.generation.idle()


async def test_stream_replays_then_follows_to_done() -> None:
    owner = await make_owner()
    track = await make_ready_track(owner)
    feedback = make_feedback()
    message = await _request(feedback, owner, track.id)
    events = await _collect(feedback.stream(owner_id=owner.id, message_id=message.id))
    late = await _collect(feedback.stream(owner_id=owner.id, message_id=message.id))
    text = "".join(e.delta for e in events if not e.done)  # type: ignore[attr-defined]
    final = events[-1]
    assert final.done and final.message.status is domain.MessageStatus.COMPLETE  # type: ignore[attr-defined]
    assert text == final.message.content  # type: ignore[attr-defined]
    assert len(late) == 1 and late[0].done and late[0].delta == text  # type: ignore[attr-defined]
    with pytest.raises(NotFound):
        await _collect(feedback.stream(owner_id=(await make_owner()).id, message_id=message.id))


async def test_subscriber_that_leaves_early_stops_nothing() -> None:
    owner = await make_owner()
    track = await make_ready_track(owner)
    feedback = make_feedback()
    message = await _request(feedback, owner, track.id)
    stream = feedback.stream(owner_id=owner.id, message_id=message.id)
    first = await anext(stream)
    await stream.aclose()  # type: ignore[attr-defined]
    done = await feedback.generation.wait(message.id)
    assert first is not None and done.status is domain.MessageStatus.COMPLETE and len(done.content) > 100


async def test_openai_failure_keeps_partial_text_and_retry_works(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    owner = await make_owner()
    track = await make_ready_track(owner)
    feedback = make_feedback(openai_provider())
    fake_openai.push(Reply(text="1. Clipping at 1:32 is audible. Fix it.", cut_after=4))
    message = await _request(feedback, owner, track.id)
    failed = await feedback.generation.wait(message.id)
    assert failed.status is domain.MessageStatus.FAILED and failed.error_code == "LLM_BAD_RESPONSE"
    assert failed.content == "1. Clipping at 1:32" and failed.error and "cut off" in failed.error
    assert (failed.engine, failed.model) == ("openai", "fake-gpt")
    with pytest.raises(BadUserInput, match="Only FAILED"):
        done_msg = await feedback.retry(owner_id=owner.id, message_id=message.id)
        await feedback.generation.wait(done_msg.id)
        await feedback.retry(owner_id=owner.id, message_id=message.id)
    retried = await message_store.get_message(owner_id=owner.id, message_id=message.id)
    assert retried.status is domain.MessageStatus.COMPLETE and retried.error_code is None
    assert retried.content == "1. Clipping at 1:32.\n   Fix: lower the mix bus by 3.0 dB."
    assert retried.usage.prompt_tokens == 321  # counted by the server, not estimated
    assert len(fake_openai.requests) == 2 and fake_openai.requests[0] == fake_openai.requests[1]


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (Reply(status=429), "LLM_RATE_LIMITED"),
        (Reply(status=500), "LLM_UNAVAILABLE"),
        (Reply(stall_after=1, stall_s=5.0), "LLM_TIMEOUT"),
        (Reply(malformed_after=2), "LLM_BAD_RESPONSE"),
    ],
)
async def test_openai_faults_end_failed_with_code(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory, reply: Reply, code: str
) -> None:
    owner = await make_owner()
    track = await make_ready_track(owner)
    feedback = make_feedback(openai_provider(chunk_timeout_s=0.5))
    fake_openai.push(reply)
    failed = await feedback.generation.wait((await _request(feedback, owner, track.id)).id)
    assert failed.status is domain.MessageStatus.FAILED and failed.error_code == code and failed.error


async def test_invented_number_from_a_model_is_flagged(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    owner = await make_owner()
    track = await make_ready_track(owner)
    feedback = make_feedback(openai_provider())
    fake_openai.push(Reply(text="1. Your master sits at -3.2 LUFS. True peak 0.6 dBTP; cut 250-500 Hz."))
    done = await feedback.generation.wait((await _request(feedback, owner, track.id)).id)
    assert done.grounding is not None
    grounding = Grounding.from_dict(done.grounding)
    assert not grounding.fully_grounded
    assert [n.text for n in grounding.untraced] == ["-3.2 LUFS"]
    assert {n.text for n in grounding.traced} == {"0.6 dBTP", "250 Hz", "500 Hz"}


async def test_findings_with_reference_are_loudness_matched() -> None:
    from tests.fakes.analysis_data import band_levels, make_analysis, typical_analysis

    owner = await make_owner()
    track = await make_ready_track(owner, typical_analysis())
    ref = await make_ready_track(
        owner,
        make_analysis({"spectrum.band_levels_db": band_levels(sub=-5.0), "loudness.integrated_lufs": -6.0}),
        name="ref",
    )
    report = await make_feedback().findings(
        owner_id=owner.id,
        track_id=track.id,
        genre="DnB",
        stage=domain.FeedbackType.MASTERING,
        reference_track_id=ref.id,
    )
    assert report.genre.name == "drum-and-bass" and report.reference is not None
    assert report.reference.matched_gain_db == -3.0 and report.reference.band_deltas_db["sub"] == -4.5


async def test_recover_marks_leftover_streaming_messages_failed() -> None:
    owner = await make_owner()
    track = await make_ready_track(owner)
    crashed = make_feedback()
    message = await _request(crashed, owner, track.id)
    await crashed.generation.close()  # shutdown mid-answer
    interrupted = await message_store.get_message(owner_id=owner.id, message_id=message.id)
    assert interrupted.status is domain.MessageStatus.FAILED and interrupted.error_code == "INTERRUPTED"
    restarted = make_feedback()
    assert await restarted.recover() == 0
    retried = await restarted.retry(owner_id=owner.id, message_id=message.id)
    assert (await restarted.generation.wait(retried.id)).status is domain.MessageStatus.COMPLETE


async def test_text_is_flushed_while_streaming_and_kept_on_shutdown(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    owner = await make_owner()
    track = await make_ready_track(owner)
    feedback = make_feedback(openai_provider(chunk_timeout_s=30.0), flush_interval_s=0.0)
    fake_openai.push(Reply(text="one two three four five six seven", stall_after=5, stall_s=20.0))
    message = await _request(feedback, owner, track.id)
    stored = message
    while stored.content != "one two three four five":  # the model has gone quiet after five words
        await asyncio.sleep(0.02)
        stored = await message_store.get_message(owner_id=owner.id, message_id=message.id)
    assert stored.status is domain.MessageStatus.STREAMING
    await feedback.generation.close()
    interrupted = await message_store.get_message(owner_id=owner.id, message_id=message.id)
    assert interrupted.status is domain.MessageStatus.FAILED and interrupted.error_code == "INTERRUPTED"
    assert interrupted.content == "one two three four five"
