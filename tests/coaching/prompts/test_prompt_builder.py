from __future__ import annotations

import os
from pathlib import Path

import pytest

from services.analysis.result import Analysis
from services.coaching.prompts import (
    Conversation,
    Facts,
    Prompt,
    Turn,
    build_feedback_prompt,
    build_followup_prompt,
    build_summary_prompt,
    estimate_tokens,
)
from services.diagnosis import diagnose
from services.domain import FeedbackProfile, FeedbackType
from services.genres import match_genre
from tests.fakes.analysis_data import band_levels, make_analysis, problem_mix

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("MIXCOACH_UPDATE_SNAPSHOTS") == "1"
BUDGET = 6000


def _facts(
    profile: FeedbackProfile, stage: FeedbackType, *, genre: str = "hip hop", reference: Analysis | None = None
) -> Facts:
    analysis = problem_mix()
    report = diagnose(analysis, genre=match_genre(genre), stage=stage, reference=reference)
    return Facts(analysis=analysis, report=report, profile=profile, reference=reference)


def _render(prompt: Prompt) -> str:
    body = "\n".join(f"===== {m.role}\n{m.content}" for m in prompt.messages)
    return f"{body}\n===== estimated_tokens={prompt.estimated_tokens}\n"


def _check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    if UPDATE or not path.exists():
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"snapshot {path.name} was missing and has been written; re-run")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("stage", list(FeedbackType))
@pytest.mark.parametrize("profile", list(FeedbackProfile))
def test_feedback_prompt_matches_snapshot(profile: FeedbackProfile, stage: FeedbackType) -> None:
    prompt = build_feedback_prompt(_facts(profile, stage), budget_tokens=BUDGET)
    _check_snapshot(f"feedback_{stage.value.lower()}_{profile.value.lower()}", _render(prompt))


def test_feedback_prompt_has_the_seed_sections() -> None:
    prompt = build_feedback_prompt(_facts(FeedbackProfile.PRO, FeedbackType.MASTERING), budget_tokens=BUDGET)
    system, user = (m.content for m in prompt.messages)
    assert "mastering engineer" in system and "Hip-Hop" in system
    assert "frequency, gain, Q, ratio, attack/release, ceiling" in system
    assert "numbered issue → fix pairs" in system and "No greeting" in system
    assert "At most 3 moves under 'What to fix first'" in system and "Order of operations" in system
    assert "Example of the format" in system
    assert "Never mention, assume or invent a reference" in system and "REFERENCE" not in user
    assert "MEASUREMENTS (stage: mastering)" in user and "-8.4 LUFS" in user and "FINDINGS" in user
    assert prompt.estimated_tokens == estimate_tokens(prompt.messages) < BUDGET


def test_feedback_prompt_profiles_speak_differently() -> None:
    systems = {
        p: build_feedback_prompt(_facts(p, FeedbackType.MIXDOWN), budget_tokens=BUDGET).messages[0].content
        for p in FeedbackProfile
    }
    assert "no jargon" in systems[FeedbackProfile.SIMPLE]
    assert "why it matters" in systems[FeedbackProfile.DETAILED]
    assert "terse and technical" in systems[FeedbackProfile.PRO]


def test_feedback_prompt_with_reference_lists_matched_deltas() -> None:
    reference = make_analysis({"spectrum.band_levels_db": band_levels(sub=-5.0), "loudness.integrated_lufs": -6.4})
    prompt = build_feedback_prompt(
        _facts(FeedbackProfile.DETAILED, FeedbackType.MIXDOWN, reference=reference), budget_tokens=BUDGET
    )
    system, user = (m.content for m in prompt.messages)
    assert "A reference track was given" in system and "Never mention" not in system
    assert "REFERENCE (loudness-matched)" in user
    assert "Reference turned down by 2.0 dB" in user and "sub -4.5 dB" in user
    _check_snapshot("feedback_reference_detailed", _render(prompt))


def test_feedback_prompt_unknown_genre_tells_the_model_to_say_so() -> None:
    prompt = build_feedback_prompt(
        _facts(FeedbackProfile.SIMPLE, FeedbackType.MASTERING, genre="space polka"), budget_tokens=BUDGET
    )
    assert 'Genre "space polka" is not in our catalogue' in prompt.messages[0].content


def _convo(n_turns: int, *, summary: str | None = None) -> Conversation:
    turns = tuple(
        Turn("user" if i % 2 == 0 else "assistant", f"turn {i} about the low end and the kick " * 5)
        for i in range(n_turns)
    )
    return Conversation(feedback="1. Clipping at 1:32.\n   Fix: lower the mix bus.", summary=summary, turns=turns,
                        question="And the kick?")  # fmt: skip


def test_followup_prompt_keeps_role_profile_and_genre_every_turn() -> None:
    facts = _facts(FeedbackProfile.PRO, FeedbackType.MIXDOWN)
    for n in (0, 2, 6):
        prompt = build_followup_prompt(facts, _convo(n), budget_tokens=BUDGET)
        system = prompt.messages[0].content
        assert "mixing engineer" in system and "Hip-Hop" in system and "terse and technical" in system
        assert "YOUR EARLIER FEEDBACK" in prompt.messages[1].content
        assert [m.role for m in prompt.messages[2:]] == ["user", "assistant"] * (n // 2) + ["user"]
        assert prompt.messages[-1].content == "And the kick?"


def test_followup_prompt_uses_the_summary() -> None:
    prompt = build_followup_prompt(
        _facts(FeedbackProfile.SIMPLE, FeedbackType.MIXDOWN),
        _convo(2, summary="Asked about kick."),
        budget_tokens=BUDGET,
    )
    assert "SUMMARY OF THE CONVERSATION SO FAR\nAsked about kick." in prompt.messages[1].content
    _check_snapshot("followup_mixdown_simple", _render(prompt))


def test_followup_prompt_stays_within_the_budget_by_dropping_old_turns() -> None:
    facts = _facts(FeedbackProfile.DETAILED, FeedbackType.MASTERING)
    full = build_followup_prompt(facts, _convo(40), budget_tokens=100_000)
    tight = build_followup_prompt(facts, _convo(40), budget_tokens=1500)
    assert full.dropped_turns == 0 and full.estimated_tokens > 1500
    assert tight.estimated_tokens <= 1500 and tight.dropped_turns > 0 and tight.dropped_turns % 2 == 0
    assert tight.messages[-1].content == "And the kick?"


def test_summary_prompt_contains_previous_summary_and_turns() -> None:
    prompt = build_summary_prompt(
        _facts(FeedbackProfile.PRO, FeedbackType.MIXDOWN), _convo(4, summary="Earlier: clipping."), budget_tokens=BUDGET
    )
    user = prompt.messages[1].content
    assert "PREVIOUS SUMMARY\nEarlier: clipping." in user and "USER: turn 0" in user and "ASSISTANT: turn 1" in user


@pytest.mark.parametrize("stage", list(FeedbackType))
def test_feedback_prompt_holds_the_model_to_the_stage(stage: FeedbackType) -> None:
    prompt = build_feedback_prompt(_facts(FeedbackProfile.DETAILED, stage), budget_tokens=BUDGET)
    system, user = (m.content for m in prompt.messages)
    assert "never make a low end mono when its correlation is negative" in system
    assert "never advise a boost that would push the peaks into clipping" in system
    assert "Root causes:" in system and "Units: LUFS" in system and "what already works" in system.lower()
    assert "File: WAV, 44.1 kHz, 24-bit, stereo" in user and "lossy or upsampled" in user
    example = system.split("Example of the format", 1)[1]
    if stage is FeedbackType.MIXDOWN:
        assert "no loudness targets and no limiter moves" in system and "guitars and pads" in example
        assert "dBTP" not in example and "LUFS" not in example
    else:
        assert "stereo-bus moves only" in system.lower() and "guitars" not in example
    if stage is FeedbackType.MASTER_REVIEW:
        assert "start with the verdict" in system and example.split("\n", 1)[1].startswith("Verdict:")
