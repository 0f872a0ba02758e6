"""The offline engine answers the question asked, quoting the figures of that span, band or measurement.

Expected figures are computed here from the analysis itself (the timeline points inside the span, the section's
band level, the platform row), not from the lookups, so a lookup or a route reading the wrong data fails.
"""

from __future__ import annotations

import math

import pytest

from services.analysis.result import Analysis
from services.coaching.builtin.answers import NO_DATA, NO_VERSIONS, answer_with_lookups
from services.coaching.grounding import ground
from services.coaching.prompts import Conversation, Facts, Turn
from services.diagnosis import diagnose, fmt, fmt_time
from services.domain import FeedbackProfile, FeedbackType
from services.genres import match_genre
from tests.fakes.analysis_data import timed_mix, typical_analysis

A = timed_mix()


def _facts(analysis: Analysis = A, reference: Analysis | None = None) -> Facts:
    report = diagnose(analysis, genre=match_genre("pop"), stage=FeedbackType.MIXDOWN, reference=reference)
    return Facts(analysis=analysis, report=report, profile=FeedbackProfile.DETAILED, reference=reference)


def _span_mean(start: float, end: float) -> str:
    tl = A.loudness.short_term_timeline
    values = [v for t, v in zip(tl.times_s, tl.values, strict=True) if v is not None and start <= t <= end]
    return fmt(10 * math.log10(sum(10 ** (v / 10) for v in values) / len(values)), "LUFS")


def _sub(section: int) -> str:
    return fmt(next(b.value for b in A.sections[section].band_levels_db if b.band == "sub") or 0.0, "dB")


# question -> figures the answer must quote, and the tools it must have used
CASES: list[tuple[str, list[str], list[str]]] = [
    (
        "What happens at 2:42?",
        [_span_mean(160, 164), "3 clip runs", "1 true-peak over up to 0.4 dBTP", "-7.2 LUFS"],
        ["span_figures"],
    ),
    ("what's going on around 1:05", [_span_mean(61, 69), "-7.6 LUFS", "Out of phase at 1:08-1:12"], ["span_figures"]),
    ("How loud is the second chorus?", [_span_mean(150, 180), "-7.2 LUFS", "2:30-3:00"], ["span_figures"]),
    ("how is the first verse", [_span_mean(0, 60), "-12.6 LUFS", "No clipped samples"], ["span_figures"]),
    ("is the sub too big in the last chorus?", ["sub (20-60 Hz) " + _sub(3)], ["span_figures"]),
    ("How many dB should I cut the sub?", [_sub(0), _sub(3), "spread of 6.0 dB"], ["band_over_time"]),
    ("what about around 300 Hz", ["low mids", "-8.2 dB", "-5.2 dB"], ["band_over_time"]),
    ("are the low mids muddy?", ["low mids", "-7.2 dB"], ["band_over_time"]),
    ("What is the tempo and key?", ["150 BPM", "F major"], ["measurement", "measurement"]),
    ("what bpm is this", ["150 BPM"], ["measurement"]),
    ("Is it mono?", ["No, it is stereo", "0.62", "28%", "-0.8 dB"], ["measurement"]),
    ("Will it clip on Spotify?", ["Spotify plays it down by 5.0 dB", "-6.2 dBTP", "no clip risk"], ["measurement"]),
    ("How loud is it?", ["-9.6 LUFS", "-1.2 dBTP", "5.2 LU"], ["measurement"]),
    ("what sample rate and format is the file", ["WAV", "44.1 kHz", "24-bit"], ["measurement"]),
    ("any clipping?", ["3 clipped runs", "2:41", "2 true-peak overs"], ["measurement"]),
    ("Did I fix the clipping?", [NO_VERSIONS, "3 clipped runs"], ["measurement"]),
    ("what happens between 2:30 and 2:50", [_span_mean(150, 170), "3 clip runs"], ["span_figures"]),
    ("what about the bridge?", ["no bridge", "verse 1, chorus 1, verse 2, chorus 2"], ["section_figures"]),
    ("in the drop, is it too loud?", ["No section is labelled drop", "-7.2 LUFS"], ["span_figures"]),
    ("how does my low end compare to the reference?", ["No reference track was given"], []),
]


@pytest.mark.parametrize(("question", "figures", "tools"), CASES)
def test_offline_answer_quotes_the_figures_of_that_span_band_or_measure(
    question: str, figures: list[str], tools: list[str]
) -> None:
    facts = _facts()
    convo = Conversation(feedback="(feedback)", summary=None, turns=(), question=question)
    text, calls = answer_with_lookups(facts, convo)
    for figure in figures:
        assert figure in text, (figure, text)
    assert [c.name for c in calls] == tools or (not tools and "can't compare" in text.lower())
    grounding = ground(
        text,
        analysis=facts.analysis,
        report=facts.report,
        question=question,
        tool_results=[(c.name, c.result) for c in calls],
    )
    assert grounding.fully_grounded, grounding.untraced


def test_the_two_questions_from_the_issue_get_different_answers() -> None:
    facts = _facts()
    answers = {
        answer_with_lookups(facts, Conversation("(f)", None, (), q))[0]
        for q in ("What happens at 2:42 — is the chorus too loud?", "How many dB should I cut the sub?")
    }
    assert len(answers) == 2


def test_an_ambiguous_key_is_called_ambiguous() -> None:
    ambiguous = A.model_copy(
        update={"musical": A.musical.model_copy(update={"key_ambiguous": True, "key_runner_up": "D minor"})}
    )
    text, _ = answer_with_lookups(_facts(ambiguous), Conversation("(f)", None, (), "what key is it in?"))
    assert "ambiguous" in text and "F major and D minor" in text


def test_a_range_sent_with_the_question_is_answered_from_that_span() -> None:
    convo = Conversation("(f)", None, (), "what happens here?", time_range=(158.0, 166.0))
    text, calls = answer_with_lookups(_facts(), convo)
    assert calls[0].arguments == {"start_s": 158.0, "end_s": 166.0}
    assert _span_mean(158, 166) in text and fmt_time(158.0) in text


def test_reference_comparison_quotes_both_tracks() -> None:
    facts = _facts(reference=typical_analysis())
    text, calls = answer_with_lookups(facts, Conversation("(f)", None, (), "how does my low end compare?"))
    assert [c.name for c in calls] == ["reference_comparison"]
    assert "-9.6 LUFS" in text and "-9.0 LUFS" in text and "sub (20-60 Hz)" in text


def test_an_answer_already_given_is_not_repeated_word_for_word() -> None:
    facts = _facts()
    first, _ = answer_with_lookups(facts, Conversation("(f)", None, (), "How loud is it?"))
    turns = (Turn("user", "How loud is it?"), Turn("assistant", first))
    again, _ = answer_with_lookups(facts, Conversation("(f)", None, turns, "how loud is it"))
    assert again != first and first.splitlines()[0] in again
    assert "covered above" in again
    tempo, _ = answer_with_lookups(facts, Conversation("(f)", None, (), "what is the tempo?"))
    turns = (Turn("user", "what is the tempo?"), Turn("assistant", tempo))
    again, _ = answer_with_lookups(facts, Conversation("(f)", None, turns, "tempo again?"))
    assert again != tempo and again.startswith("Nothing has been re-measured") and again.endswith(tempo)


def test_finding_pairs_already_in_the_feedback_are_pointed_to_not_repeated() -> None:
    facts = _facts()
    text, _ = answer_with_lookups(facts, Conversation("(f)", None, (), "any clipping problems in the mix?"))
    assert text.startswith("3 clipped runs")
    priority, _ = answer_with_lookups(facts, Conversation("(f)", None, (), "what should I fix first?"))
    top = facts.report.findings[0]
    assert top.title in priority
    repeat, _ = answer_with_lookups(facts, Conversation(priority, None, (), "what should I fix first?"))
    assert repeat.startswith(f"- {top.title}, as covered above. ") and repeat != priority
    assert repeat.split("covered above. ")[1] in priority  # the fix itself, not the whole pair again


def test_a_question_with_no_measurement_says_so() -> None:
    text, calls = answer_with_lookups(_facts(), Conversation("(f)", None, (), "what's the weather like?"))
    assert text == NO_DATA and calls == []
