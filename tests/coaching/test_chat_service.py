from __future__ import annotations

import asyncio

import pytest

from services import domain
from services.coaching.feedback import Feedback
from services.errors import BadUserInput, NotFound
from services.store import conversation
from tests.fakes.feedback_fixtures import make_feedback, make_owner, make_ready_track
from tests.fakes.llm_fixtures import ProviderFactory
from tests.fakes.openai_server import FakeOpenAIServer, Reply

pytestmark = pytest.mark.usefixtures("feedback_db")

QUESTIONS = [
    "what about the low end?",
    "what happens at 1:32?",
    "is it loud enough for spotify?",
    "how do I fix the clipping?",
    "and the stereo image?",
]


async def _start(feedback: Feedback) -> tuple[int, domain.Message]:
    owner = await make_owner()
    track = await make_ready_track(owner)
    message = await feedback.request(
        owner_id=owner.id,
        track_id=track.id,
        session_id=None,
        genre="trap",
        stage=domain.FeedbackType.MIXDOWN,
        profile=domain.FeedbackProfile.SIMPLE,
    )
    return owner.id, await feedback.generation.wait(message.id)


async def _ask(feedback: Feedback, owner_id: int, session_id: int, question: str) -> domain.Message:
    answer = await feedback.ask(owner_id=owner_id, session_id=session_id, question=question)
    done = await feedback.generation.wait(answer.id)
    await feedback.generation.idle()
    return done


async def test_followups_answer_in_the_thread_and_store_the_question_first() -> None:
    feedback = make_feedback()
    owner_id, first = await _start(feedback)
    answer = await _ask(feedback, owner_id, first.session_id, "what about the low end?")
    assert answer.status is domain.MessageStatus.COMPLETE and "Low end is not mono enough" in answer.content
    assert (answer.followup_group, answer.profile, answer.genre) == (first.id, domain.FeedbackProfile.SIMPLE, "trap")
    thread = await conversation.thread(first.id)
    assert [(m.role, m.kind) for m in thread] == [
        (domain.MessageRole.ASSISTANT, domain.MessageKind.FEEDBACK),
        (domain.MessageRole.USER, domain.MessageKind.FOLLOWUP),
        (domain.MessageRole.ASSISTANT, domain.MessageKind.FOLLOWUP),
    ]
    assert thread[1].content == "what about the low end?" and thread[1].id < answer.id


async def test_followup_validation() -> None:
    feedback = make_feedback()
    owner_id, first = await _start(feedback)
    with pytest.raises(BadUserInput, match="between 1 and 2000"):
        await feedback.ask(owner_id=owner_id, session_id=first.session_id, question="   ")
    with pytest.raises(NotFound):
        await feedback.ask(owner_id=(await make_owner()).id, session_id=first.session_id, question="hi")
    with pytest.raises(NotFound, match="Follow-up group"):
        await feedback.ask(owner_id=owner_id, session_id=first.session_id, question="hi", followup_group=first.id + 99)


async def test_new_feedback_starts_a_new_group() -> None:
    feedback = make_feedback()
    owner_id, first = await _start(feedback)
    second = await feedback.request(
        owner_id=owner_id,
        track_id=first.track_id or 0,
        session_id=first.session_id,
        genre="trap",
        stage=domain.FeedbackType.MASTERING,
        profile=domain.FeedbackProfile.PRO,
    )
    await feedback.generation.wait(second.id)
    answer = await _ask(feedback, owner_id, first.session_id, "what about the low end?")
    assert answer.followup_group == second.id and answer.profile is domain.FeedbackProfile.PRO
    old = await feedback.ask(
        owner_id=owner_id, session_id=first.session_id, question="and loudness?", followup_group=first.id
    )
    assert old.followup_group == first.id
    await feedback.generation.idle()


async def test_summary_after_every_n_followups_and_prompt_stays_bounded() -> None:
    feedback = make_feedback(summary_every=4)
    owner_id, first = await _start(feedback)
    sizes: dict[int, int] = {}
    for n in range(1, 51):
        answer = await _ask(feedback, owner_id, first.session_id, f"{QUESTIONS[n % 5]} (question {n})")
        sizes[n] = feedback.generation.last_prompt[answer.id].estimated_tokens
    thread = await conversation.thread(first.id)
    summaries = [m for m in thread if m.role is domain.MessageRole.SUMMARY]
    assert len(summaries) == 50 // 4
    assert all(s.status is domain.MessageStatus.COMPLETE and "Then asked:" in s.content for s in summaries)
    assert sizes[50] <= sizes[5] + 150, sizes
    early, late = [sizes[n] for n in range(1, 9)], [sizes[n] for n in range(26, 51)]
    assert max(late) <= max(early) + 150  # growth stops: summaries replace older turns
    latest = feedback.generation.last_prompt[max(m.id for m in thread if m.role is domain.MessageRole.ASSISTANT)]
    assert latest.conversation is not None and latest.conversation.summary == summaries[-1].content
    assert len(latest.conversation.turns) <= 2 * 4


async def test_failed_followup_keeps_the_question_and_retries(
    fake_openai: FakeOpenAIServer, openai_provider: ProviderFactory
) -> None:
    feedback = make_feedback(openai_provider())
    owner_id, first = await _start(feedback)
    fake_openai.push(Reply(status=500))
    failed = await _ask(feedback, owner_id, first.session_id, "what about the kick?")
    assert failed.status is domain.MessageStatus.FAILED and failed.error_code == "LLM_UNAVAILABLE"
    thread = await conversation.thread(first.id)
    assert [m.content for m in thread if m.role is domain.MessageRole.USER] == ["what about the kick?"]
    retried = await feedback.retry(owner_id=owner_id, message_id=failed.id)
    done = await feedback.generation.wait(retried.id)
    assert done.status is domain.MessageStatus.COMPLETE
    sent = fake_openai.requests[-1]["messages"]
    assert sent[-1] == {"role": "user", "content": "what about the kick?"}
    assert "YOUR EARLIER FEEDBACK\n" + first.content in sent[1]["content"]
    assert "Trap" in sent[0]["content"] and "beginner" in sent[0]["content"]


async def test_concurrent_followups_pair_each_answer_with_its_question() -> None:
    feedback = make_feedback(summary_every=100)
    owner_id, first = await _start(feedback)
    asks = [feedback.ask(owner_id=owner_id, session_id=first.session_id, question=q) for q in QUESTIONS]
    answers = await asyncio.gather(*asks)
    await feedback.generation.idle()
    for question, answer in zip(QUESTIONS, answers, strict=True):
        prompt = feedback.generation.last_prompt[answer.id]
        assert prompt.conversation is not None and prompt.conversation.question == question
