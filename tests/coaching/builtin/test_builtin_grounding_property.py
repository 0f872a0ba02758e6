"""Property: whatever the measurements, the builtin engine only states numbers it can trace (grounded by
construction), for every stage, profile and follow-up topic."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.coaching.builtin.engine import write, write_with_lookups
from services.coaching.grounding import ground
from services.coaching.prompts import Conversation, Facts, build_feedback_prompt, build_followup_prompt
from services.diagnosis import diagnose
from services.domain import FeedbackProfile, FeedbackType, ToolCall
from services.genres import list_genres, match_genre
from tests.fakes.analysis_data import band_levels, make_analysis

level = st.floats(min_value=-30.0, max_value=-2.0, allow_nan=False)
QUESTIONS = ["low end?", "at 1:10?", "loud enough for spotify?", "fix the clipping", "stereo?", "the chorus",
             "dynamics?", "too harsh?", "what first?"]  # fmt: skip


@st.composite
def analyses(draw: st.DrawFn) -> object:
    lufs = draw(st.floats(min_value=-30.0, max_value=-3.0))
    true_peak = draw(st.floats(min_value=-12.0, max_value=2.0))
    return make_analysis(
        {
            "loudness.integrated_lufs": lufs,
            "loudness.true_peak_dbtp": true_peak,
            "loudness.sample_peak_dbfs": min(true_peak, 0.0),
            "loudness.loudness_range_lu": draw(st.floats(min_value=0.5, max_value=25.0)),
            "dynamics.plr_db": draw(st.floats(min_value=2.0, max_value=25.0)),
            "dynamics.heavy_limiting": draw(st.booleans()),
            "clipping.clip_runs": draw(st.integers(min_value=0, max_value=50)),
            "spectrum.band_levels_db": band_levels(sub=draw(level), bass=draw(level), low_mid=draw(level),
                                                   high_mid=draw(level), air=draw(level)),
            "spectrum.resonances": [{"frequency_hz": draw(st.floats(min_value=30.0, max_value=16000.0)),
                                     "prominence_db": draw(st.floats(min_value=0.0, max_value=20.0))}],
            "stereo.width_pct": draw(st.floats(min_value=0.0, max_value=120.0)),
            "stereo.correlation": draw(st.floats(min_value=-1.0, max_value=1.0)),
            "stereo.balance_db": draw(st.floats(min_value=-6.0, max_value=6.0)),
            "stereo.mono_loudness_change_db": draw(st.floats(min_value=-9.0, max_value=0.0)),
            "bass.low_end_width_pct": draw(st.floats(min_value=0.0, max_value=60.0)),
            "bass.low_end_correlation": draw(st.floats(min_value=-1.0, max_value=1.0)),
            "bass.low_end_consistency_lu": draw(st.floats(min_value=0.0, max_value=8.0)),
            "bass.low_end_jumps_db": draw(st.floats(min_value=0.0, max_value=8.0)),
            "transients.onset_rate_per_s": draw(st.floats(min_value=0.0, max_value=15.0)),
            "qc.dc_offset_pct": [draw(st.floats(min_value=0.0, max_value=3.0)), 0.0],
        }
    )  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    analysis=analyses(),
    genre=st.sampled_from([g.name for g in list_genres()] + ["unknown-genre"]),
    stage=st.sampled_from(list(FeedbackType)),
    profile=st.sampled_from(list(FeedbackProfile)),
    reference=st.one_of(st.none(), analyses()),
)
def test_builtin_answers_are_always_grounded(
    analysis: object, genre: str, stage: FeedbackType, profile: FeedbackProfile, reference: object
) -> None:
    from services.analysis.result import Analysis

    assert isinstance(analysis, Analysis) and (reference is None or isinstance(reference, Analysis))
    report = diagnose(analysis, genre=match_genre(genre), stage=stage, reference=reference)
    facts = Facts(analysis=analysis, report=report, profile=profile, reference=reference)
    feedback = write(build_feedback_prompt(facts, budget_tokens=6000))
    answers: list[tuple[str, str | None, list[ToolCall]]] = [(feedback, None, [])]
    for question in QUESTIONS + (["compare with the reference"] if reference else []):
        convo = Conversation(feedback=feedback, summary=None, turns=(), question=question)
        text, calls = write_with_lookups(build_followup_prompt(facts, convo, budget_tokens=6000))
        answers.append((text, question, calls))
    for text, asked, calls in answers:
        results = [(c.name, c.result) for c in calls]
        grounding = ground(
            text, analysis=analysis, report=report, reference=reference, question=asked, tool_results=results
        )
        assert grounding.fully_grounded, (grounding.untraced, text)
