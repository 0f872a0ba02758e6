"""Grounding that means something: figures traced to their subject, moves checked against their finding."""

from __future__ import annotations

import pytest

from services.diagnosis import FindingReport, diagnose
from services.domain import FeedbackType
from services.genres import match_genre
from services.grounding import Grounding, ground
from services.grounding_moves import bands_in, contradictions
from tests.fakes.advice_cases import CASES
from tests.fakes.analysis_data import band_levels, make_analysis, problem_mix

_BOOMY = make_analysis({"spectrum.band_levels_db": band_levels(low_mid=-1.0)})


def _report(stage: FeedbackType = FeedbackType.MIXDOWN) -> FindingReport:
    return diagnose(_BOOMY, genre=match_genre("pop"), stage=stage)


def _excess(report: FindingReport, finding_id: str) -> float:
    f = next(f for f in report.findings if f.id == finding_id)
    assert f.target is not None and f.target.high is not None and f.measured[0].value is not None
    return round(f.measured[0].value - f.target.high, 1)


def test_a_boost_for_too_much_is_a_grounding_failure() -> None:
    report = _report()
    amount = _excess(report, "tonal.low_mid_heavy")
    boost = ground(f"Too much low mids: boost about {amount} dB.", analysis=_BOOMY, report=report)
    cut = ground(f"Too much low mids: cut about {amount} dB.", analysis=_BOOMY, report=report)
    assert cut.fully_grounded and cut.traced and not cut.contradictions
    assert not boost.fully_grounded and boost.contradictions and not boost.untraced


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("Bell +2.0 dB @ 300 Hz.", True),
        ("Bell -2.0 dB @ 300 Hz.", False),
        ("Use an EQ to raise the 250 Hz-500 Hz range.", True),
        ("Use an EQ to lower the 250 Hz-500 Hz range.", False),
        ("Lift the low mids a little.", True),
        ("Boost the air a little.", False),  # no finding on the air: nothing to contradict
    ],
)
def test_band_moves_are_checked_against_their_finding(text: str, bad: bool) -> None:
    assert bool(contradictions(text, _report())) is bad


def test_level_moves_follow_the_loudness_finding() -> None:
    quiet = next(c for c in CASES if c.name == "-30 LUFS at master review").analysis()
    review = diagnose(quiet, genre=match_genre("pop"), stage=FeedbackType.MASTER_REVIEW)
    assert contradictions("Take the limiter off and turn the master down.", review)
    assert not contradictions("Bring it up with a limiter, ceiling -1.0 dBTP.", review)
    loud = diagnose(problem_mix(), genre=match_genre("pop"), stage=FeedbackType.MASTERING)
    assert contradictions("Push the limiter harder to gain level.", loud)
    mix = diagnose(quiet, genre=match_genre("pop"), stage=FeedbackType.MIXDOWN)
    assert not contradictions("Turn the master up.", mix)  # a quiet mixdown asks nothing of the level


def test_mono_advice_on_an_opposed_low_end_is_a_contradiction() -> None:
    flipped = next(c for c in CASES if c.name.startswith("flipped polarity")).analysis()
    report = diagnose(flipped, genre=match_genre("pop"), stage=FeedbackType.MIXDOWN)
    assert contradictions("Make the bass mono with a mono-maker below 120 Hz.", report)
    assert not contradictions("Flip the polarity of one channel; do not make the bass mono.", report)
    assert not contradictions("Make the bass mono.", _report())  # fine when the channels are not opposed


def test_a_figure_is_traced_to_its_own_band() -> None:
    report = _report()
    amount = _excess(report, "tonal.low_mid_heavy")
    right: Grounding = ground(f"Cut the low mids about {amount} dB.", analysis=_BOOMY, report=report)
    wrong = ground(f"Cut the presence about {amount} dB.", analysis=_BOOMY, report=report)
    assert right.fully_grounded and "low_mid" in (right.traced[0].source or "")
    assert wrong.untraced and not wrong.traced


def test_tool_results_count_for_tracing() -> None:
    report = _report()
    text = "At 2:42 the chorus reads -7.3 LUFS."
    assert not ground(text, analysis=_BOOMY, report=report).fully_grounded
    tool = {"span": {"start_s": 162.0, "integrated_lufs": -7.3}}
    traced = ground(text, analysis=_BOOMY, report=report, tool_results=[("span_figures", tool)])
    assert traced.fully_grounded and any((n.source or "").startswith("tool:") for n in traced.traced)


def test_bands_are_read_from_names_and_frequencies() -> None:
    assert bands_in("Not enough bass (60-250 Hz)") == {"bass"}
    assert bands_in("cut around 3.0 kHz") == {"high_mid"}
    assert bands_in("the low mids and the air") == {"low_mid", "air"}
    assert bands_in("the upper mids") == {"high_mid"}


def test_grounding_round_trips_with_its_contradictions() -> None:
    g = ground("Too much low mids: boost about 2.0 dB.", analysis=_BOOMY, report=_report())
    again = Grounding.from_dict(g.to_dict())
    assert again.contradictions == g.contradictions and not again.fully_grounded


def test_light_bands_and_reference_bands_are_checked_too() -> None:
    dull = make_analysis({"spectrum.band_levels_db": band_levels(presence=-30.0, air=-30.0)})
    report = diagnose(dull, genre=match_genre("pop"), stage=FeedbackType.MASTERING)
    assert any(f.id == "tonal.air_light" for f in report.findings)
    assert contradictions("Cut the air with a shelf.", report)
    assert not contradictions("Boost the air with a shelf.", report)
    heavy_sub = next(c for c in CASES if c.name == "sub +12 dB").analysis()
    sub_report = diagnose(heavy_sub, genre=match_genre("pop"), stage=FeedbackType.MIXDOWN)
    assert contradictions("Boost the sub a little.", sub_report) and not contradictions("Cut the sub.", sub_report)
    reference = make_analysis({"spectrum.band_levels_db": band_levels(low_mid=-14.0)})
    vs_ref = diagnose(make_analysis(), genre=match_genre("pop"), stage=FeedbackType.MASTERING, reference=reference)
    assert any(f.id == "reference.low_mid" for f in vs_ref.findings)
    assert contradictions("Boost the low mids by 2 dB.", vs_ref) and not contradictions("Cut the low mids.", vs_ref)
