from __future__ import annotations

import pytest

from services.analysis.result import Analysis
from services.coaching.builtin.answers import NO_DATA
from services.coaching.builtin.engine import BuiltinProvider
from services.coaching.grounding import ground
from services.coaching.prompts import Conversation, Facts, Prompt, Turn, build_feedback_prompt, build_followup_prompt
from services.diagnosis import diagnose
from services.domain import FeedbackProfile, FeedbackType
from services.genres import match_genre
from tests.fakes.analysis_data import band_levels, make_analysis, problem_mix, typical_analysis


def _facts(
    profile: FeedbackProfile, stage: FeedbackType, *, analysis: Analysis | None = None, genre: str = "pop",
    reference: Analysis | None = None,
) -> Facts:  # fmt: skip
    a = analysis or problem_mix()
    report = diagnose(a, genre=match_genre(genre), stage=stage, reference=reference)
    return Facts(analysis=a, report=report, profile=profile, reference=reference)


def _ask(facts: Facts, question: str) -> Prompt:
    convo = Conversation(feedback="(earlier feedback)", summary=None, turns=(), question=question)
    return build_followup_prompt(facts, convo, budget_tokens=6000)


async def _stream(prompt: Prompt) -> str:
    async with BuiltinProvider().stream(prompt) as reply:
        deltas = [d async for d in reply]
    assert len(deltas) > 5 and all(deltas)
    return "".join(deltas)


@pytest.mark.parametrize("stage", list(FeedbackType))
@pytest.mark.parametrize("profile", list(FeedbackProfile))
async def test_builtin_feedback_is_grounded_streamed_and_deterministic(
    profile: FeedbackProfile, stage: FeedbackType
) -> None:
    facts = _facts(profile, stage)
    prompt = build_feedback_prompt(facts, budget_tokens=6000)
    text = await _stream(prompt)
    assert text == await _stream(prompt)
    pairs = [line for line in text.splitlines() if line[:2] in {f"{i}." for i in range(1, 10)}]
    assert 3 <= len(pairs) <= 5
    grounding = ground(text, analysis=facts.analysis, report=facts.report)
    assert grounding.fully_grounded and grounding.traced
    assert not text.lower().startswith(("hi", "hello", "sure"))


async def _complete(profile: FeedbackProfile, stage: FeedbackType) -> str:
    return (await BuiltinProvider().complete(build_feedback_prompt(_facts(profile, stage), budget_tokens=6000))).text


async def test_builtin_feedback_voices_differ() -> None:
    texts = {await _complete(p, FeedbackType.MASTERING) for p in FeedbackProfile}
    assert len(texts) == 3


async def test_builtin_feedback_pro_gives_concrete_moves() -> None:
    facts = _facts(FeedbackProfile.PRO, FeedbackType.MASTERING)
    text = (await BuiltinProvider().complete(build_feedback_prompt(facts, budget_tokens=6000))).text
    assert "bell -2.0 dB @ 300 Hz, Q 0.7" in text and "TP ceiling -1.0 dBTP" in text and "Order: source → eq" in text
    simple = (await BuiltinProvider().complete(build_feedback_prompt(
        _facts(FeedbackProfile.SIMPLE, FeedbackType.MASTERING), budget_tokens=6000))).text  # fmt: skip
    assert "What to do:" in simple and "Q 0.7" not in simple


async def test_builtin_feedback_stages_judge_differently() -> None:
    mix = await _complete(FeedbackProfile.DETAILED, FeedbackType.MIXDOWN)
    review = await _complete(FeedbackProfile.DETAILED, FeedbackType.MASTER_REVIEW)
    assert "mastering" in mix and "-6.0 dBFS" in mix
    assert "Verdict: not ready to release" in review


async def test_builtin_feedback_clean_master_and_unknown_genre() -> None:
    facts = _facts(
        FeedbackProfile.DETAILED, FeedbackType.MASTER_REVIEW, analysis=typical_analysis(), genre="moon polka"
    )
    text = (await BuiltinProvider().complete(build_feedback_prompt(facts, budget_tokens=6000))).text
    assert text.startswith('Genre "moon polka" is not in our catalogue')
    assert "Verdict: ready to release." in text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What about the low end?", "Low end is not mono enough"),
        ("is my kick too boomy", "Too much low mids"),
        ("What happens at 1:32?", "The chorus (1:15-2:00) is at -8.0 LUFS"),
        ("how loud is the chorus", "The chorus (1:15-2:00)"),
        ("How do I fix the clipping?", "Digital clipping"),
        ("is it loud enough for spotify?", "Streaming platforms will turn this down"),
        ("what should I fix first", "1. Digital clipping"),
        ("compare it with my reference", "No reference track was given"),
        ("what colour is the cover art?", NO_DATA),
    ],
)
async def test_builtin_followup_answers_by_topic(question: str, expected: str) -> None:
    facts = _facts(FeedbackProfile.DETAILED, FeedbackType.MASTERING)
    prompt = _ask(facts, question)
    text = await _stream(prompt)
    assert expected in text
    calls = (await BuiltinProvider().complete(prompt)).tool_calls
    results = [(c.name, c.result) for c in calls]
    assert ground(text, analysis=facts.analysis, report=facts.report, tool_results=results).fully_grounded


async def test_builtin_followup_reference_uses_matched_deltas() -> None:
    reference = make_analysis({"spectrum.band_levels_db": band_levels(sub=-5.0)})
    facts = _facts(FeedbackProfile.PRO, FeedbackType.MASTERING, reference=reference)
    text = (await BuiltinProvider().complete(_ask(facts, "how does it compare to the reference?"))).text
    assert "Less sub (20-60 Hz) than the reference" in text
    assert ground(text, analysis=facts.analysis, report=facts.report, reference=reference).fully_grounded


async def test_builtin_summary_lists_the_questions() -> None:
    from services.coaching.prompts import build_summary_prompt

    facts = _facts(FeedbackProfile.SIMPLE, FeedbackType.MIXDOWN)
    turns = (Turn("user", "what about the bass?"), Turn("assistant", "..."), Turn("user", "and at 1:32?"))
    convo = Conversation(feedback="x", summary="Earlier: asked about loudness.", turns=turns, question="")
    text = (await BuiltinProvider().complete(build_summary_prompt(facts, convo, budget_tokens=6000))).text
    assert "Earlier: asked about loudness." in text and "what about the bass?; and at 1:32?" in text
    assert "low end" in text


async def test_builtin_master_review_verdict_follows_the_delivery_check() -> None:
    taste_only = make_analysis({"spectrum.band_levels_db.2.value": 3.0, "stereo.side_to_mid_db": 4.0})
    text = await _stream(build_feedback_prompt(_facts(FeedbackProfile.PRO, FeedbackType.MASTER_REVIEW,
                                                      analysis=taste_only), budget_tokens=6000))  # fmt: skip
    assert "Verdict: ready to release" in text
    clipped = await _stream(
        build_feedback_prompt(_facts(FeedbackProfile.PRO, FeedbackType.MASTER_REVIEW), budget_tokens=6000)
    )
    assert "Verdict: not ready to release. Blocking: Digital clipping." in clipped
