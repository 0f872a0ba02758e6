"""Grounding that means something: figures traced to their subject, moves checked against their finding."""

from __future__ import annotations

from typing import Any

import pytest

from services.coaching.grounding import GroundedNumber, Grounding, ground, numbers_in
from services.coaching.grounding_moves import bands_in, clauses, contradictions
from services.diagnosis import Finding, FindingReport, Measure, Severity, TimeSpan, diagnose
from services.diagnosis.finding import ReferenceComparison
from services.domain import FeedbackType
from services.genres import Range, match_genre
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
    assert bands_in("[1000.020000][1000.040000] 12.5.3 Hz, 1.5 to 3 kHz") == {"high_mid"}  # 5.3 Hz: no band
    assert bands_in("Low-Mids, then SUB-BASS") == {"low_mid", "sub"}
    assert bands_in("the STEREO image at 300 Hz") == set()


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


# Tracing, on hand-built findings whose figures lie outside every figure of the typical analysis and the targets
# (whose dB figures span -31 to +14), so a figure traces only to the thing it is about.
_PLAIN = make_analysis({"spectrum.band_levels_db": band_levels(low_mid=-37.7)})


def _made(findings: list[Finding], reference: ReferenceComparison | None = None) -> FindingReport:
    return FindingReport(genre=match_genre("pop"), stage=FeedbackType.MIXDOWN, findings=findings, reference=reference)


def _finding(fid: str, value: float, unit: str = "dB", **extra: object) -> Finding:
    parts: dict[str, object] = {"title": "", "detail": "", "target": None, "time_ranges": ()} | extra
    return Finding(id=fid, area=fid.split(".")[0], severity=Severity.MINOR, measured=(Measure(fid, fid, value, unit),),
                   **parts)  # type: ignore[arg-type]  # fmt: skip


def _sources(text: str, report: FindingReport | None = None, **kw: Any) -> tuple[list[str | None], list[str]]:
    g = ground(text, analysis=_PLAIN, report=report or _made([]), **kw)
    return [n.source for n in g.traced], [n.text for n in g.untraced]


def test_numbers_are_read_with_their_units_in_order() -> None:
    found = numbers_in("Cut 2-4 kHz by −1.5 dB at 2:42, then -3 to -1 dB; aim for -14 LUFS (96 BPM, 12 %).")
    assert [(n.text, n.value, n.unit) for n in found] == [
        ("2 kHz", 2000.0, "kHz"), ("4 kHz", 4000.0, "kHz"), ("−1.5 dB", -1.5, "dB"), ("2:42", 162.0, "s"),
        ("-3 dB", -3.0, "dB"), ("-1 dB", -1.0, "dB"), ("-14 LUFS", -14.0, "LUFS"), ("96 BPM", 96.0, "BPM"),
        ("12 %", 12.0, "%"),
    ]  # fmt: skip
    assert numbers_in("v2 dB, 3 dB/oct, 1.2.3 dB") == []


def test_a_band_level_traces_to_its_band_and_to_no_other() -> None:
    assert _sources("The low mids sit at -37.7 dB.") == (["spectrum.band_levels_db.low_mid"], [])
    assert _sources("The presence sits at -37.7 dB.") == ([], ["-37.7 dB"])
    neutral = _finding("transients.punch", -37.7)  # the same figure, about no band, comes second: the band wins
    assert _sources("The low mids sit at -37.7 dB.", _made([neutral]))[0] == ["spectrum.band_levels_db.low_mid"]
    assert _sources("Punch reads -37.7 dB.", _made([neutral]))[0] == ["spectrum.band_levels_db.low_mid"]


@pytest.mark.parametrize("area", ["clipping", "loudness", "dynamics", "stereo", "qc"])
def test_a_figure_of_another_area_does_not_trace_in_a_band_clause(area: str) -> None:
    report = _made([_finding(f"{area}.thing", 41.9)])
    assert _sources("Cut the low mids by 41.9 dB.", report) == ([], ["41.9 dB"])
    assert _sources("It reads 41.9 dB.", report) == ([f"finding:{area}.thing"], [])
    assert _sources("Cut the low mids by 41.9 dB.", _made([_finding("transients.thing", 41.9)]))[0]


def test_a_findings_figures_its_distance_from_the_target_and_its_spans_trace_to_it() -> None:
    over = _finding("clipping.x", 48.6, target=Range(None, 31.3, "dB"), time_ranges=(TimeSpan(95.0, 101.0),),
                    title="Hot", detail="It sits 23.4 dB over.")  # fmt: skip
    src = "finding:clipping.x"
    text = "It reads 48.6 dB, at most 31.3 dB: 17.3 dB over, so -17.3 dB; 23.4 dB over, around 1:35 to 1:41."
    assert _sources(text, _made([over])) == ([src] * 7, [])
    assert _sources("It reads -48.6 dB.", _made([over])) == ([], ["-48.6 dB"])  # a measurement keeps its sign
    assert _sources(text) == ([], ["48.6 dB", "31.3 dB", "17.3 dB", "-17.3 dB", "23.4 dB", "1:35", "1:41"])


def test_a_loudness_findings_distance_is_a_level_change_in_db() -> None:
    hot = _finding("loudness.too_loud", -1.7, "LUFS", target=Range(-40.1, -22.1, "LUFS"))
    assert _sources("It reads -1.7 LUFS, 20.4 dB too loud; aim for -22.1 LUFS.", _made([hot]))[1] == []
    assert _sources("It is 20.4 LUFS too loud.", _made([hot])) == ([], ["20.4 LUFS"])
    assert _sources("It reads -1.7 dB.", _made([hot])) == ([], ["-1.7 dB"])
    assert _sources("It reads 38.4 dB.", _made([hot])) == (["finding:loudness.too_loud"], [])  # from the low bound


def test_a_reference_finding_states_a_difference_either_way() -> None:
    louder = _finding("reference.plr_delta_db", 27.9)
    assert _sources("It is -27.9 dB against the reference.", _made([louder]))[1] == []


def test_reference_figures_differences_trace_either_way_and_its_own_figures_with_their_sign() -> None:
    cmp = ReferenceComparison(matched_gain_db=0.0, loudness_delta_lu=17.7, band_deltas_db={"low_mid": 23.9},
                              side_to_mid_delta_db=None, plr_delta_db=None, lra_delta_lu=None,
                              low_end_side_to_mid_delta_db=None, low_end_correlation_delta=None,
                              true_peak_delta_db=None, reference_integrated_lufs=-33.3)  # fmt: skip
    report = _made([], cmp)
    traced, untraced = _sources("It is 17.7 dB louder; -23.9 dB; the reference reads -33.3 LUFS.", report)
    assert untraced == [] and traced == ["reference.loudness_delta_lu", "reference.band_deltas_db",
                                         "reference.reference_integrated_lufs"]  # fmt: skip
    assert _sources("It is 17.7 LUFS; the reference reads 33.3 LUFS.", report)[1] == ["17.7 LUFS", "33.3 LUFS"]


def test_the_reference_track_and_the_question_are_sources_too() -> None:
    other = make_analysis({"musical.tempo_bpm": 97.0})
    assert _sources("The reference runs at 97 BPM.") == ([], ["97 BPM"])
    assert _sources("The reference runs at 97 BPM.", reference=other) == (["reference:musical.tempo_bpm"], [])
    asked = _sources("At 1:35 it is fine.", question="what happens at 1:35?")
    assert asked == (["question"], [])


def test_tolerances_are_the_displayed_precision() -> None:
    assert _sources("It runs at 123 BPM.")[1] == []  # tempo 122 BPM, ±1
    assert _sources("It runs at 123.5 BPM.")[1] == ["123.5 BPM"]
    assert _sources("The centroid is 1680 Hz.")[1] == []  # 1650 Hz, within 2 %
    assert _sources("The centroid is 1690 Hz.")[1] == ["1690 Hz"]
    assert _sources("Below 21 Hz and 19 Hz.")[1] == []  # the 20 Hz band edge, at least 1 Hz
    assert _sources("Below 21.5 Hz.")[1] == ["21.5 Hz"]
    assert _sources("It reads -9.0 LUFS, not -9.0 dB.")[1] == ["-9.0 dB"]  # LUFS only matches LUFS


def test_a_broad_move_traces_to_its_bands_centre() -> None:
    assert _sources("A wide bell at 300 Hz.")[0] == ["bands.low_mid.centre"]
    assert _sources("A wide bell at 5 kHz.")[0] == ["bands.presence.centre"]


def test_tool_figures_keep_their_sign_unless_they_are_differences() -> None:
    tool = [("platforms", {"spotify": {"gain_db": -27.4, "level_db": -26.1}})]
    traced, untraced = _sources("Spotify turns it down 27.4 dB, to 26.1 dB.", tool_results=tool)
    assert traced == ["tool:platforms:spotify.gain_db"] and untraced == ["26.1 dB"]
    assert _sources("It reads -26.1 dB.", tool_results=tool)[0] == ["tool:platforms:spotify.level_db"]


def test_band_ranges_and_edges_name_the_band_they_lie_in() -> None:
    assert bands_in("cut 2-4 kHz") == {"high_mid"}
    assert bands_in("a shelf at 250 Hz") == {"low_mid"}
    assert bands_in("the side below 120 Hz") == set()  # a width move is about no band


def test_a_wrong_level_move_says_which_way_the_findings_ask() -> None:
    quiet = next(c for c in CASES if c.name == "-30 LUFS at master review").analysis()
    review = diagnose(quiet, genre=match_genre("pop"), stage=FeedbackType.MASTER_REVIEW)
    assert contradictions("Turn the master down.", review) == [
        "'Turn the master down.': moves the level down, its findings ask for up"
    ]


def test_target_figures_trace_to_the_target_they_belong_to() -> None:
    mix, master = _made([]), FindingReport(genre=match_genre("pop"), stage=FeedbackType.MASTERING, findings=[])
    assert _sources("Between 20 Hz and 20 kHz.")[0] == ["bands.sub", "bands.air"]
    assert _sources("The presence centre is -22.4 dB.")[0] == ["targets.band_centre_db.presence"]
    assert _sources("Side at -14.9 dB.")[0] == ["targets.side_to_mid_db"]
    assert _sources("Peaks at -3.0 dBFS.", mix)[0] == ["targets.sample_peak_dbfs"]
    assert _sources("Peaks at -3.0 dBFS.", master)[1] == ["-3.0 dBFS"]  # a master has no sample-peak window
    assert _sources("Keep it at -1.0 dBTP.", master)[0] == ["targets.true_peak_max_dbtp"]
    assert _sources("No more than 1.0 dBTP.", master)[1] == ["1.0 dBTP"]


def test_every_valued_measure_and_percent_distances_trace() -> None:
    two = Finding(id="stereo.x", area="stereo", severity=Severity.MINOR, title="", detail="",
                  measured=(Measure("a", "a", None, "dB"), Measure("b", "b", 77.0, "%")),
                  target=Range(None, 40.0, "%"))  # fmt: skip
    assert _sources("It reads 77 %, 37 % over.", _made([two])) == (["finding:stereo.x"] * 2, [])


def test_a_traced_figure_keeps_its_text_value_and_unit() -> None:
    g = ground("It runs at 123 BPM.", analysis=_PLAIN, report=_made([]))
    assert g.traced == [GroundedNumber("123 BPM", 123.0, "BPM", "musical.tempo_bpm")]
    tool = [("tempo", {"tempo_delta_bpm": 3.0})]
    assert _sources("It is -4 BPM off.", tool_results=tool)[1] == []  # a difference, at the edge of ±1 BPM


def test_contradictions_read_every_clause_and_say_why() -> None:
    assert clauses("Cut.\n \nBoost the air\n \nthen") == ["Cut.", "Boost the air", "then"]
    assert contradictions("Check the mix. Boost the low mids.", _report())
    flipped = next(c for c in CASES if c.name.startswith("flipped polarity")).analysis()
    report = diagnose(flipped, genre=match_genre("pop"), stage=FeedbackType.MIXDOWN)
    assert contradictions("Make the bass mono.", report) == [
        "'Make the bass mono.': makes an opposed (negative-correlation) low end mono"
    ]


def test_level_moves_read_past_finding_titles_and_skip_width_moves() -> None:
    loud = _finding("loudness.too_loud", -1.7, "LUFS")
    platform = _finding("loudness.platform_turn_down", -5.0, title="Streaming platforms will turn this down")
    report = _made([loud, platform])
    assert contradictions("Streaming platforms will turn this down: push the level up.", report)
    assert not contradictions("Streaming platforms will turn this down: pull the level down.", report)
    assert not contradictions("Raise the stereo width on the master.", report)  # a width move, not a level move
    quiet_mix = _made([_finding("loudness.too_quiet", -30.0, "LUFS")])
    assert not contradictions("Turn the master down.", quiet_mix)  # a quiet mixdown asks nothing of the level
